// Kubernetes protobuf request bodies: pkg/api/protobuf (one import).
import { messages } from "../../pkg/api/protobuf/descriptors.js";

export { decodeProtobufObject, isProtobufBody } from "../../pkg/api/protobuf/index.js";

/** The protobuf message names kubectl's descriptors know (`k8s.io.api.apps.v1.Deployment`): they give
 * the OpenAPI definition names their Go package. */
export const protobufMessageNames: string[] = Object.keys(messages);
