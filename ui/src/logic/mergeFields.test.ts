import { describe, expect, it } from "vitest";
import {
  calloutCompletions,
  calloutName,
  classify,
  closeCompletion,
  isSecretField,
  markTokens,
  matchMergeCompletions,
  mergeCompletionStart,
  tokenize,
  tokenizeVariables,
  variableCompletions,
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

describe("tokenizeVariables", () => {
  const names = ["endpoint", "api-version", "org.id"];
  const kinds = (text: string): [string, string][] => tokenizeVariables(text, names).map((t) => [text.slice(t.from, t.to), t.kind]);

  it("finds known and unknown variables with their exact ranges and names", () => {
    const text = "{{endpoint}}/services/{{ api-version }}/{{org.id}}?x={{endpont}}";
    expect(kinds(text)).toEqual([
      ["{{endpoint}}", "variable"],
      ["{{ api-version }}", "variable"],
      ["{{org.id}}", "variable"],
      ["{{endpont}}", "unknown-variable"],
    ]);
    expect(tokenizeVariables(text, names).map((t) => t.name)).toEqual(["endpoint", "api-version", "org.id", "endpont"]);
  });
  it("knows names exactly, as the engine looks them up", () => {
    expect(kinds("{{Endpoint}}")).toEqual([["{{Endpoint}}", "unknown-variable"]]);
    expect(kinds("{{endpoint}}")).toEqual([["{{endpoint}}", "variable"]]);
  });
  it("leaves what is closed but no name as plain text, like the engine", () => {
    expect(kinds('{{ not a var }} {{1st}} {{-x}} {{}} {"a": {"b": 1}} {{{endpoint}}}')).toEqual([]);
  });
  it("marks an unclosed {{ with the name typed after it, and keeps going", () => {
    const text = "a {{ endp\nb {{endpoint}} {{org {{endpoint}}";
    expect(kinds(text)).toEqual([
      ["{{ endp", "unclosed-variable"],
      ["{{endpoint}}", "variable"],
      ["{{org", "unclosed-variable"],
      ["{{endpoint}}", "variable"],
    ]);
    expect(kinds("{{endp oint\n}}")).toEqual([["{{endp", "unclosed-variable"]]);
    expect(tokenizeVariables("x {{", names)).toEqual([{ from: 2, to: 4, kind: "unclosed-variable", name: "" }]);
    expect(tokenizeVariables("{{endpoint}", names)[0]).toMatchObject({ kind: "unclosed-variable", name: "endpoint" });
  });
  it("leaves merge fields alone", () => {
    expect(tokenizeVariables("{!$Credential.OAuthToken}", names)).toEqual([]);
  });
});

describe("markTokens", () => {
  it("gives merge fields and variables in order", () => {
    const text = "{{auth}} {!$Credential.OAuthToken} {{nope}}";
    expect(markTokens(text, ["auth"]).map((t) => [text.slice(t.from, t.to), t.kind])).toEqual([
      ["{{auth}}", "variable"],
      ["{!$Credential.OAuthToken}", "field"],
      ["{{nope}}", "unknown-variable"],
    ]);
  });
  it("marks a variable inside a merge field, not the field it will complete", () => {
    const text = "{!$Credential.{{ext}}.ApiKey}";
    expect(markTokens(text, ["ext"]).map((t) => [text.slice(t.from, t.to), t.kind])).toEqual([["{{ext}}", "variable"]]);
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

describe("variable completions", () => {
  const names = ["instance_url", "access_token", "api-version", "url"];
  it("start after an open {{, where the typed name begins, spaces allowed", () => {
    expect(variableCompletions("GET {{", names)).toEqual({ from: 6, options: names });
    expect(variableCompletions("{{ acc", names)).toEqual({ from: 3, options: ["access_token"] });
  });
  it("offer the names the typed part begins first, then those containing it, ignoring case", () => {
    expect(variableCompletions("{{URL", names)?.options).toEqual(["url", "instance_url"]);
    expect(variableCompletions("{{a", names)?.options).toEqual(["access_token", "api-version", "instance_url"]);
    expect(variableCompletions("{{zz", names)?.options).toEqual([]);
  });
  it("do not start after a closed variable, a merge field or what is no name", () => {
    expect(variableCompletions("{{url}} and ", names)).toBeNull();
    expect(variableCompletions("{!$Cred", names)).toBeNull();
    expect(variableCompletions("{{1", names)).toBeNull();
    expect(variableCompletions("{{a b", names)).toBeNull();
    expect(variableCompletions("plain", names)).toBeNull();
  });
});

describe("closeCompletion", () => {
  it("writes the closing when none follows", () => {
    expect(closeCompletion("url}}", "")).toEqual({ text: "url}}", skip: 0 });
    expect(closeCompletion("$Credential.Username}", " x")).toEqual({ text: "$Credential.Username}", skip: 0 });
  });
  it("does not double a closing already there, after spaces too", () => {
    expect(closeCompletion("url}}", "}}/x")).toEqual({ text: "url", skip: 2 });
    expect(closeCompletion("url}}", "  }}")).toEqual({ text: "url", skip: 4 });
    expect(closeCompletion("$Credential.Username}", "}")).toEqual({ text: "$Credential.Username", skip: 1 });
  });
  it("completes a }} begun right after the name", () => {
    expect(closeCompletion("url}}", "}")).toEqual({ text: "url}", skip: 1 });
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
