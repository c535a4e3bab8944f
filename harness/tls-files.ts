/**
 * TLS for the harness's Debian servers (real-redis.ts, real-influx.ts): a CA and a server
 * certificate for 127.0.0.1 made with openssl.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface TlsFiles {
  /** PEM of the CA that signed the server's certificate: what a client trusts. */
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway CA and a certificate it signed for 127.0.0.1 and localhost (P-256 keys, valid two
 * days), written into `dir`.
 */
export function makeTlsFiles(dir: string): TlsFiles {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=pdp-test-ca");
  openssl("req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
  fs.writeFileSync(
    f("server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    f("server.ext"),
    "-out",
    f("server.pem"),
  );
  return {
    caPem: fs.readFileSync(f("ca.pem"), "utf8"),
    caFile: f("ca.pem"),
    certFile: f("server.pem"),
    keyFile: f("server.key"),
  };
}
