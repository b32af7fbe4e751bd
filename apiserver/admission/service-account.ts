// The ServiceAccount admission plugin's pod mutation: the projected token volume mounted in every
// container (pkg/api/admission/serviceaccount.ts holds the decision).
import { randomInt } from "node:crypto";
import type { Pod } from "kubernetes-types/core/v1";
import { mountServiceAccountToken } from "../../pkg/api/admission/serviceaccount.js";
import type { AdmissionPlugin } from "./types.js";

// Kubernetes' rand.String alphabet (no vowels, no confusable characters), as generateName uses.
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const suffix = (): string => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");

export const serviceAccountAdmission: AdmissionPlugin = {
  name: "ServiceAccount",
  async admitCreate(_ctx, scope, obj) {
    if (scope.gr.group !== "" || scope.gr.resource !== "pods" || scope.info.subresource) return undefined;
    mountServiceAccountToken(obj as unknown as Pod, suffix());
    return undefined;
  },
};
