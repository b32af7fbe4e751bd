// Kubernetes protobuf request bodies: pkg/api/protobuf (one import).
export { decodeProtobufObject, isProtobufBody } from "../../pkg/api/protobuf/index.js";
