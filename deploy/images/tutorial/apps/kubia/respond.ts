// The luksa/kubia family from "Kubernetes in Action": one Node.js app in several versions, each
// answering every request on port 8080 with a line naming the pod. Which version an image is comes
// from KUBIA_VARIANT.

export type KubiaVariant = "latest" | "v1" | "v2" | "v3" | "unhealthy";

export interface KubiaResponse {
  status: number;
  body: string;
}

export function kubiaVariant(value: string | undefined): KubiaVariant {
  switch (value) {
    case "v1":
    case "v2":
    case "v3":
    case "unhealthy":
      return value;
    default:
      return "latest";
  }
}

/** The answer to the request numbered `count` (1 for the first) since the app started. */
export function kubiaRespond(variant: KubiaVariant, count: number, hostname: string): KubiaResponse {
  switch (variant) {
    case "latest":
      return { status: 200, body: `You've hit ${hostname}\n` };
    case "unhealthy":
      // luksa/kubia-unhealthy: healthy for five requests, then 500 for ever (the liveness probe example).
      return count > 5
        ? { status: 500, body: "I'm not well. Please restart me!" }
        : { status: 200, body: `You've hit ${hostname}\n` };
    case "v3":
      // v3 has a bug: from the fifth request on it fails (the bad rollout the readiness probe catches).
      return count >= 5
        ? { status: 500, body: `Some internal error has occurred! This is pod ${hostname}\n` }
        : { status: 200, body: `This is v3 running in pod ${hostname}\n` };
    default:
      return { status: 200, body: `This is ${variant} running in pod ${hostname}\n` };
  }
}
