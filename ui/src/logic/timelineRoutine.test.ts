import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import { ev, keeperDecision, keeperRefresh, keeperRenewal, refreshAttempt, requestSent, retry, tokenIssued, verdict } from "./timelineFixtures";
import { routineEventIds } from "./timelineRoutine";

const routineOf = (events: Event[]): string[] => {
  const ids = routineEventIds(events);
  return events.filter((e) => ids.has(e.id)).map((e) => e.summary);
};

describe("routineEventIds", () => {
  it("takes a keeper renewal whole: the token it issued, its refresh and its decision", () => {
    const renewal = keeperRenewal(1000, "Sandbox");
    expect(routineEventIds(renewal)).toEqual(new Set(renewal.map((e) => e.id)));
  });
  it("takes decisions to wait or to skip", () => {
    const wait = ev(1, "A", keeperDecision("wait"), "wait");
    const skip = ev(2, "A", keeperDecision("skip", null, "not authorized yet"), "skip");
    expect(routineOf([wait, skip])).toEqual(["wait", "skip"]);
  });
  it("leaves in sight a skip or wait that asks a person to act: authorize again, or renew what nothing could", () => {
    const events = [
      ev(1, "A", keeperDecision("skip", null, "needs re-authorization (invalid_grant); nothing can be refreshed until someone authorizes again"), "skip: needs re-authorization"),
      ev(2, "B", keeperDecision("skip", null, "expired, but nothing could be refreshed: the URL names no credential (use callout:NAME/...), so there is no token to refresh"), "skip: nothing could be refreshed"),
      ev(3, "C", keeperDecision("wait", null, "valid for 40 min; refresh in 39 min"), "wait"),
      ev(4, "C", keeperDecision("wait", null, "no refresh token: nothing to keep alive, the token lives as long as the provider says"), "wait without a refresh token"),
    ];
    expect(routineOf(events)).toEqual(["wait", "wait without a refresh token"]);
  });
  it("never takes a warning or a renewal that failed", () => {
    const events = [
      ev(1, "A", keeperDecision("warn", null, "the refresh token dies after 1 h unused"), "warn"),
      ev(2, "A", keeperRefresh("proactive", "failed"), "failed attempt"),
      ev(3, "A", keeperDecision("refresh", "failed: connection refused"), "failed decision"),
      ev(4, "A", keeperDecision("refresh", "needs re-authorization: invalid_grant"), "reauth decision"),
    ];
    expect(routineOf(events)).toEqual([]);
  });
  it("leaves the story alone: a send's own proactive refresh, an expiry, the refresh after it, the retry", () => {
    const events = [
      ev(1, "A", tokenIssued(20), "token before the send"),
      ev(2, "A", keeperRefresh("proactive"), "send's proactive refresh"),
      ev(3, "A", requestSent(), "send"),
      ev(4, "A", requestSent(500), "fault"),
      ev(5, "A", verdict(true), "expired"),
      ev(6, "A", refreshAttempt("refreshed"), "refresh after expiry"),
      ev(7, "A", tokenIssued(20), "new token"),
      ev(8, "A", retry(), "retry"),
    ];
    expect(routineOf(events)).toEqual([]);
  });
  it("pairs each credential's refresh with its own decision when a run renews several", () => {
    // A run refreshes every credential due, then notes every decision.
    const events = [
      ev(1, "A", tokenIssued(3600), "A token"),
      ev(2, "A", keeperRefresh(), "A refresh"),
      ev(3, "B", tokenIssued(3600), "B token"),
      ev(4, "B", keeperRefresh("proactive", "failed"), "B refresh failed"),
      ev(5, "A", keeperDecision("refresh"), "A decision"),
      ev(6, "B", keeperDecision("refresh", "failed: connection refused"), "B decision"),
    ];
    expect(routineOf(events)).toEqual(["A token", "A refresh", "A decision"]);
  });
  it("takes a keep-alive refresh at once (only the keeper keeps alive), and one another process had done", () => {
    const events = [
      ev(1, "A", tokenIssued(null), "token"),
      ev(2, "A", keeperRefresh("keepAlive"), "keep-alive"),
      ev(3, "B", keeperRefresh("proactive", "alreadyRefreshed"), "already"),
      ev(4, "B", keeperDecision("refresh", "already refreshed elsewhere: token fp:1 valid for 59 min"), "decision"),
    ];
    expect(routineOf(events)).toEqual(["token", "keep-alive", "already", "decision"]);
  });
  it("does not take a token issued before something else happened to the credential", () => {
    const events = [
      ev(1, "A", tokenIssued(3600), "token of a sign-in"),
      ev(2, "A", requestSent(), "send"),
      ev(3, "A", keeperRefresh(), "refresh"),
      ev(4, "A", keeperDecision("refresh"), "decision"),
    ];
    expect(routineOf(events)).toEqual(["refresh", "decision"]);
  });
});
