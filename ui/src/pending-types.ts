// The types the UI uses, re-exported from ./bindings (generated from Rust by
// ts-rs; never edited by hand). Types the shell has not generated yet would be
// declared here until their binding appears; today every one has a binding.
export type { AuthorizeProgress } from "./bindings/AuthorizeProgress";
export type { AuthorizeStage } from "./bindings/AuthorizeStage";
export type { BodyKind } from "./bindings/BodyKind";
export type { CopyResult } from "./bindings/CopyResult";
export type { CredentialView } from "./bindings/CredentialView";
export type { ErrorReport } from "./bindings/ErrorReport";
export type { FieldProblem } from "./bindings/FieldProblem";
export type { Navigate as NavigatePayload } from "./bindings/Navigate";
export type { Preview } from "./bindings/Preview";
export type { ProviderMetadata } from "./bindings/ProviderMetadata";
export type { SandboxInfo } from "./bindings/SandboxInfo";
export type { SavedRequest } from "./bindings/SavedRequest";
export type { SendReport } from "./bindings/SendReport";
export type { Settings } from "./bindings/Settings";
export type { StatusState } from "./bindings/StatusState";
export type { StatusView } from "./bindings/StatusView";
export type { Theme } from "./bindings/Theme";
export type { TimelineAppended } from "./bindings/TimelineAppended";
export type { TimelineQuery } from "./bindings/TimelineQuery";
export type { TokenView } from "./bindings/TokenView";
export type { View } from "./bindings/View";
