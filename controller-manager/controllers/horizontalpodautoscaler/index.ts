// Registry entry: kube-controller-manager's `horizontalpodautoscaling`.
import type { ControllerDescriptor } from "../../context.js";
import { HorizontalPodAutoscalerController } from "./controller.js";

export const horizontalPodAutoscalerDescriptor: ControllerDescriptor = {
  name: "horizontalpodautoscaling",
  init: (ctx) => new HorizontalPodAutoscalerController(ctx).run(),
};
