// Registry entries: kube-controller-manager's `serviceaccount`, `serviceaccount-token` and
// `root-ca-cert-publisher`.
import type { ControllerDescriptor } from "../../context.js";
import { RootCACertPublisher, ServiceAccountsController, TokensController } from "./controller.js";

export const serviceAccountDescriptor: ControllerDescriptor = {
  name: "serviceaccount",
  init: (ctx) => new ServiceAccountsController(ctx).run(),
};

export const serviceAccountTokenDescriptor: ControllerDescriptor = {
  name: "serviceaccount-token",
  init: (ctx) => new TokensController(ctx).run(),
};

export const rootCACertPublisherDescriptor: ControllerDescriptor = {
  name: "root-ca-cert-publisher",
  init: (ctx) => new RootCACertPublisher(ctx).run(),
};
