// Registry entries for the ReplicaSet and ReplicationController controllers.
import type { ControllerDescriptor } from "../../context.js";
import { ReplicaSetController, replicaSetKind, replicationControllerKind } from "./controller.js";

export const replicaSetDescriptor: ControllerDescriptor = {
  name: "replicaset",
  init: (ctx) => new ReplicaSetController(ctx, replicaSetKind).run(),
};

export const replicationControllerDescriptor: ControllerDescriptor = {
  name: "replicationcontroller",
  init: (ctx) => new ReplicaSetController(ctx, replicationControllerKind).run(),
};
