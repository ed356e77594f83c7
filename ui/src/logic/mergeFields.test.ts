import { describe, expect, it } from "vitest";
import {
  calloutCompletions,
  calloutName,
  classify,
  isSecretField,
  matchMergeCompletions,
  mergeCompletionStart,
  tokenize,
} from "./mergeFields";

describe("tokenize", () => {
  it("finds a field with its exact range", () => {
    const text = "<sessionId>{!$Credential.OAuthToken}</sessionId>";
    const [token] = tokenize(text);
    expect(token.kind).toBe("field");
    expect(text.slice(token.from, token.to)).toBe("{!$Credential.OAuthToken}");
  });
  it("matches field names ignoring case, like Salesforce", () => {
    expect(tokenize("{!$credential.oauthtoken}")[0].kind).toBe("field");
  });
  it("recognises HTMLENCODE around a field, with spaces", () => {
    expect(tokenize("{! HTMLENCODE( $Credential.Username ) }")[0].kind).toBe("encoded");
  });
  it("flags other functions and unknown fields", () => {
    expect(tokenize("{!BASE64ENCODE($Credential.Username)}")[0].kind).toBe("unknown");
    expect(tokenize("{!$Credential.Nope}")[0].kind).toBe("unknown");
    expect(tokenize("{!$User.Email}")[0].kind).toBe("unknown");
  });
  it("treats three-part names as external credential parameters", () => {
    expect(tokenize("{!$Credential.MyExt.ApiKey}")[0].kind).toBe("external");
  });
  it("marks an unclosed field up to the end of its line and keeps going", () => {
    const text = "a {!$Credential.OAuthToken\nb {!$Credential.Username}";
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.kind)).toEqual(["unclosed", "field"]);
    expect(text.slice(tokens[0].from, tokens[0].to)).toBe("{!$Credential.OAuthToken");
  });
  it("treats a second {! before the closing brace as the end of the first", () => {
    const tokens = tokenize("{!$Credential.X {!$Credential.Username}");
    expect(tokens.map((t) => t.kind)).toEqual(["unclosed", "field"]);
  });
  it("finds nothing in plain text or a lone brace", () => {
    expect(tokenize("{ \"a\": 1 } ! {")).toEqual([]);
  });
});

describe("classify and secrets", () => {
  it("classifies expressions", () => {
    expect(classify("$Credential.AuthorizationHeaderValue")).toBe("field");
    expect(classify("HTMLENCODE($Credential.Nope)")).toBe("unknown");
  });
  it("knows which fields are secrets", () => {
    expect(isSecretField("$Credential.OAuthToken")).toBe(true);
    expect(isSecretField("HTMLENCODE($Credential.Password)")).toBe(true);
    expect(isSecretField("$Credential.Username")).toBe(false);
  });
});

describe("merge completions", () => {
  it("starts after an open {! with field characters typed", () => {
    expect(mergeCompletionStart("<id>{!$Cred")).toBe(6);
    expect(mergeCompletionStart("<id>{!")).toBe(6);
  });
  it("does not start after a closed field or outside one", () => {
    expect(mergeCompletionStart("{!$Credential.OAuthToken} and ")).toBeNull();
    expect(mergeCompletionStart("no field")).toBeNull();
  });
  it("offers all fields after a bare {!", () => {
    expect(matchMergeCompletions("").length).toBe(7);
  });
  it("narrows by what was typed, also by the part after the dot", () => {
    expect(matchMergeCompletions("$Credential.OAuth").map((c) => c.label)).toEqual([
      "$Credential.OAuthToken",
      "$Credential.OAuthConsumerKey",
    ]);
    expect(matchMergeCompletions("user").map((c) => c.label)).toEqual(["$Credential.Username"]);
    expect(matchMergeCompletions("HTML")[0].apply).toBe("HTMLENCODE($Credential.OAuthToken)}");
  });
});

describe("callout: URLs", () => {
  const names = ["Sandbox", "Salesforce_Prod", "WSO2"];
  it("completes credential names after callout:", () => {
    expect(calloutCompletions("callout:Sa", names)).toEqual({ from: 8, options: ["Sandbox", "Salesforce_Prod"] });
    expect(calloutCompletions("callout:", names)?.options).toEqual(names);
  });
  it("stops completing once the path begins", () => {
    expect(calloutCompletions("callout:Sandbox/serv", names)).toBeNull();
    expect(calloutCompletions("https://x", names)).toBeNull();
  });
  it("reads the credential name from a URL", () => {
    expect(calloutName("callout:Sandbox/services/Soap/u/60.0")).toBe("Sandbox");
    expect(calloutName("callout:Sandbox?x=1")).toBe("Sandbox");
    expect(calloutName("https://example.com")).toBeNull();
  });
});
