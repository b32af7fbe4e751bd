// Registry entries for the Endpoints and EndpointSlice controllers (kube-controller-manager's
// `endpoint` and `endpointslice`).
import type { ControllerDescriptor } from "../../context.js";
import { EndpointsController } from "./controller.js";

export const endpointsDescriptor: ControllerDescriptor = {
  name: "endpoint",
  init: (ctx) => new EndpointsController(ctx, "endpoints").run(),
};

export const endpointSliceDescriptor: ControllerDescriptor = {
  name: "endpointslice",
  init: (ctx) => new EndpointsController(ctx, "endpointslices").run(),
};
