// A small MCP server made with the official TypeScript SDK, so Parley's MCP client (the Java SDK over Parley's
// transport) is checked against an implementation Parley did not write. Started by dev.parley.testing.McpTestServer:
//   node server.mjs <port>   (0: any free port), env MCP_TOKEN: the bearer token every request must carry.
// Prints "listening <port>" on stdout once it accepts connections. Streamable HTTP on 127.0.0.1, path /mcp, one
// session per initialize (stateful, so the client must send Mcp-Session-Id back).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const token = process.env.MCP_TOKEN ?? "";
const slowMs = Number(process.env.MCP_SLOW_MS ?? 5000);

function newServer() {
  const server = new McpServer({ name: "parley-test-shop", version: "1.0.0" });
  server.registerTool("order_status", {
    description: "Tells the status of an order by its id",
    inputSchema: { order_id: z.string().max(20).describe("The order id, like A-1042") },
  }, async ({ order_id }) => ({
    content: [{ type: "text", text: `Order ${order_id}: shipped on Monday, arriving Thursday.` }],
  }));
  server.registerTool("cancel_order", {
    description: "Cancels an order (always fails here)",
    inputSchema: { order_id: z.string() },
  }, async ({ order_id }) => {
    throw new Error(`Order ${order_id} cannot be cancelled: it has shipped`);
  });
  server.registerTool("slow_report", {
    description: "Builds a report slowly",
    inputSchema: {},
  }, async () => {
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    return { content: [{ type: "text", text: "report ready" }] };
  });
  return server;
}

const sessions = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}

const http = createServer(async (req, res) => {
  try {
    if (!req.url.startsWith("/mcp")) {
      res.writeHead(404).end();
      return;
    }
    if (token && req.headers["authorization"] !== `Bearer ${token}`) {
      res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "missing token" }));
      return;
    }
    const body = req.method === "POST" ? await readBody(req) : undefined;
    const id = req.headers["mcp-session-id"];
    let transport = id ? sessions.get(id) : undefined;
    if (!transport) {
      if (id || req.method !== "POST" || body?.method !== "initialize") {
        res.writeHead(id ? 404 : 400, { "Content-Type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "No session" }, id: null }));
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => sessions.set(sid, transport),
      });
      transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
      await newServer().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  } catch (e) {
    if (!res.headersSent) {
      res.writeHead(500).end(String(e));
    }
  }
});

http.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${http.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
