import http from "node:http";
const server = http.createServer((_req, res) => res.end('{"status":"pass"}'));
server.listen(0, "127.0.0.1", () => console.log("http://127.0.0.1:" + server.address().port));
