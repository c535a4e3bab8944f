#!/usr/bin/env node
// Makes `require("pulumi-db-passwords")` resolve from anywhere in this repository (examples,
// the demo, and the dynamic provider host, which resolves the serialized provider's
// require from the program's directory): node_modules/pulumi-db-passwords -> ..
const fs = require("fs");
const path = require("path");

const link = path.join(__dirname, "..", "node_modules", "pulumi-db-passwords");
try {
  if (fs.readlinkSync(link) === "..") process.exit(0);
  fs.unlinkSync(link);
} catch {
  // no link yet
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
