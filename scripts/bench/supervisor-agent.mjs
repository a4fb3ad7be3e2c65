// The agent both supervisors run: serves GET /pid on the port in argv[2]; POST /crash answers, then exits 1.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const server = createServer((request, response) => {
  if (request.url === "/crash") {
    response.end("bye", () => process.exit(1));
    return;
  }
  response.end(String(process.pid));
});
server.listen(port, "127.0.0.1", () => console.log(`ready pid=${process.pid} port=${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
process.on("SIGINT", () => server.close(() => process.exit(0)));
