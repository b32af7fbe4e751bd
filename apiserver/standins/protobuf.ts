// Kubernetes protobuf request bodies: pkg/api/protobuf (one import, so the apiserver depends on it in one place).
export { decodeProtobufObject, isProtobufBody } from "../../pkg/api/protobuf/index.js";
