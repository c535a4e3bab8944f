// Preloaded (`node --require`, with `--cpu-prof`) into every Node.js process of a step by
// `npm run bench -- --profile DIR`: for the dynamic provider hosts and the program, it records
// the time of every module load and makes sure that --cpu-prof's profile gets written, under
// $PDP_PROFILE_DIR.
//
// Module loads: every `require` that reaches Module._load is timed (wall and CPU, inclusive);
// the time of the loads it makes itself is subtracted, so that each load's own time (resolve,
// read, compile, run its top level) counts once, for the package its file belongs to.
// bench/profile.ts sums both up.
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

const dir = process.env.PDP_PROFILE_DIR;
const script = process.argv[1] || "";
const kind = /cmd[\\/]dynamic-provider/.test(script) ? "provider" : /cmd[\\/]run/.test(script) ? "program" : undefined;

if (dir && kind) {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${kind}-${process.pid}`);
  const started = process.hrtime.bigint();

  // ------------------------------------------------------------ module loads
  const loads = [];
  const stack = [];
  const original = Module._load;
  // a request made before from the same folder comes from the cache: not timed, so that the
  // timing costs nothing on the many cached requires of each call
  const seen = new Set();
  Module._load = function (request, parent, isMain) {
    const key = `${parent ? parent.path : ""}\0${request}`;
    if (seen.has(key)) return original.apply(this, arguments);
    seen.add(key);
    const frame = { childWall: 0, childCpu: 0 };
    stack.push(frame);
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    try {
      return original.apply(this, arguments);
    } finally {
      stack.pop();
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1000;
      const up = stack[stack.length - 1];
      if (up) {
        up.childWall += wall;
        up.childCpu += cpu;
      }
      // a load from the cache costs microseconds: keep the ones that did something
      if (wall - frame.childWall > 0.05) {
        let filename = request;
        try {
          filename = Module.isBuiltin(request)
            ? `node:${request.replace(/^node:/, "")}`
            : Module._resolveFilename(request, parent, isMain);
        } catch {
          // keep the request
        }
        loads.push({
          request,
          filename,
          depth: stack.length,
          atMs: Number(t0 - started) / 1e6,
          wallMs: wall,
          selfWallMs: wall - frame.childWall,
          selfCpuMs: cpu - frame.childCpu,
        });
      }
    }
  };

  // The CPU profile is --cpu-prof's, which Node writes at exit, a process.exit() included.
  // The engine stops a provider with SIGINT (then SIGKILL after 5 s), which by default ends
  // Node without an exit: so a SIGINT or SIGTERM exits here, and the profile is written.
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));
  process.on("exit", () =>
    fs.writeFileSync(`${base}.loads.json`, JSON.stringify({ kind, pid: process.pid, argv: process.argv, loads })),
  );
}
