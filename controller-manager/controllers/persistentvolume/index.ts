// Registry entry: kube-controller-manager's `persistentvolume-binder` (with the hostPath provisioner).
import type { ControllerDescriptor } from "../../context.js";
import { PersistentVolumeController } from "./controller.js";

export const persistentVolumeBinderDescriptor: ControllerDescriptor = {
  name: "persistentvolume-binder",
  init: (ctx) => new PersistentVolumeController(ctx).run(),
};
