import { describe, expect, it } from "vitest";
import { detectKind, headerValue, prettyBody, prettyJson, prettyXml } from "./pretty";

const SOAP_FAULT =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>';

describe("detectKind", () => {
  it("trusts the Content-Type", () => {
    expect(detectKind("application/json; charset=utf-8", "x")).toBe("json");
    expect(detectKind("text/xml", "x")).toBe("xml");
    expect(detectKind("application/soap+xml", "x")).toBe("xml");
    expect(detectKind("application/problem+json", "x")).toBe("json");
  });
  it("sniffs the body without one", () => {
    expect(detectKind(null, '  [{"a":1}]')).toBe("json");
    expect(detectKind(null, "<a/>")).toBe("xml");
    expect(detectKind(null, "hello")).toBe("text");
    expect(detectKind(null, "")).toBe("none");
  });
});

describe("prettyXml", () => {
  it("indents a SOAP fault by depth with text elements on one line", () => {
    expect(prettyXml(SOAP_FAULT)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">',
        "  <soapenv:Body>",
        "    <soapenv:Fault>",
        "      <faultcode>sf:INVALID_SESSION_ID</faultcode>",
        "      <faultstring>INVALID_SESSION_ID: Invalid Session ID</faultstring>",
        "    </soapenv:Fault>",
        "  </soapenv:Body>",
        "</soapenv:Envelope>",
      ].join("\n"),
    );
  });
  it("keeps self-closing and empty elements", () => {
    expect(prettyXml("<a><b/><c></c></a>")).toBe("<a>\n  <b/>\n  <c></c>\n</a>");
  });
  it("gives up on badly nested XML", () => {
    expect(prettyXml("</a><b>")).toBeNull();
    expect(prettyXml("<a><b></b>")).toBeNull();
  });
  it("keeps CDATA and comments intact", () => {
    expect(prettyXml("<a><![CDATA[<x>]]><!-- c --></a>")).toBe("<a>\n  <![CDATA[<x>]]>\n  <!-- c -->\n</a>");
  });
});

describe("prettyJson and prettyBody", () => {
  it("indents JSON", () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson("{nope")).toBeNull();
  });
  it("falls back to the body as received when it does not parse", () => {
    expect(prettyBody("application/json", "{broken")).toEqual({ kind: "json", text: "{broken" });
  });
  it("pretty-prints the WSO2 401 body", () => {
    const body = '{"message":"unauthorized request, please refresh your access token","statusCode":401}';
    expect(prettyBody("application/json", body).text.split("\n")).toHaveLength(4);
  });
  it("finds headers ignoring case", () => {
    expect(headerValue([{ name: "Content-Type", value: "text/xml" }], "content-type")).toBe("text/xml");
    expect(headerValue([], "x")).toBeNull();
  });
});
