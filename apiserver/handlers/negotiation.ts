// Content negotiation and request bodies: which output the client asked for (JSON, Table, aggregated
// discovery), and decoding bodies sent as JSON, YAML or Kubernetes protobuf. Pure except readBody.
import type { IncomingMessage } from "node:http";
import type { KubeObject } from "../../pkg/api/types.js";
import { decodeProtobufObject, isProtobufBody } from "../standins/protobuf.js";
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from "./status.js";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 1000;

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(",").map((part) => {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const eq = kv.indexOf("=");
      if (eq > 0) p[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
    }
    return { type: (type ?? "").toLowerCase(), params: p };
  });
}

/** The Table version asked for (`v1`/`v1beta1`) when the client prefers server-side printing. */
export function wantsTable(accept: string | undefined): "v1" | "v1beta1" | null {
  for (const mt of parseAccept(accept)) {
    if (
      mt.params.as === "Table" &&
      mt.params.g === "meta.k8s.io" &&
      (mt.params.v === "v1" || mt.params.v === "v1beta1")
    ) {
      return mt.params.v;
    }
  }
  return null;
}

export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return parseAccept(accept).some(
    (mt) =>
      mt.params.as === "APIGroupDiscoveryList" &&
      mt.params.g === "apidiscovery.k8s.io" &&
      mt.params.v === "v2",
  );
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      req.resume();
      reject(requestEntityTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(requestEntityTooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
  });
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function checkDepth(v: unknown): void {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > MAX_DEPTH) throw badRequest(`the object has too many levels of nesting (more than ${MAX_DEPTH})`);
    if (typeof x === "object" && x !== null) for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw badRequest(`couldn't get version/kind; json parse error: ${detail}`);
  }
}

/** The YAML parser, loaded on the first YAML body (clients send JSON; kubectl's server-side apply and
 * curl users send YAML): it stays out of the idle process's memory. */
let yamlParser: Promise<typeof import("yaml")> | undefined;

export async function parseYamlDoc(text: string): Promise<unknown> {
  yamlParser ??= import("yaml");
  const { parse: parseYaml } = await yamlParser;
  try {
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    const detail = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw badRequest(`error converting YAML to JSON: yaml: ${detail}`);
  }
}

/** Decodes a create/update body: JSON (also when Content-Type is missing), YAML or protobuf. */
export async function decodeObjectBody(body: Buffer, contentType: string | undefined): Promise<KubeObject> {
  const mt = mediaTypeOf(contentType);
  let value: unknown;
  if (isProtobufBody(body) || mt === "application/vnd.kubernetes.protobuf") {
    try {
      value = await decodeProtobufObject(body);
    } catch (err) {
      if (isProtobufBody(body)) {
        throw badRequest(
          `the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      throw badRequest(
        "the body of the request was in an unknown format: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
      );
    }
  } else if (mt === "application/yaml" || mt === "application/x-yaml" || mt === "text/yaml") {
    value = await parseYamlDoc(body.toString("utf8"));
  } else if (mt === "" || mt === "application/json" || mt === "*/*" || mt === "text/plain") {
    const text = body.toString("utf8");
    if (mt === "" && !/^\s*[[{]/.test(text)) value = await parseYamlDoc(text);
    else value = parseJson(text);
  } else {
    throw unsupportedMediaType(mt, [
      "application/json",
      "application/yaml",
      "application/vnd.kubernetes.protobuf",
    ]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("Object 'Kind' is missing in the request body: the body must be a JSON object");
  }
  checkDepth(value);
  return value as KubeObject;
}
