// A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) so the
// intended flows can be asserted without a cluster. Endpoints are pods
// ({ namespace, namespaceLabels, labels, ports }) or external addresses ({ ip }).
import { labelsMatch } from "./render.mjs";

function ipv4(ip) {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function cidrContains(cidr, ip) {
  const [base, bits] = cidr.split("/");
  const b = ipv4(base);
  const a = ipv4(ip);
  if (b === undefined || a === undefined) return false; // IPv6 blocks never hold an IPv4 address
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function peerMatches(peer, policyNamespace, endpoint) {
  if (peer.ipBlock) {
    if (!endpoint.ip) return false;
    return cidrContains(peer.ipBlock.cidr, endpoint.ip) && !(peer.ipBlock.except ?? []).some((c) => cidrContains(c, endpoint.ip));
  }
  if (endpoint.ip) return false;
  if (peer.namespaceSelector) {
    if (!labelsMatch(peer.namespaceSelector, endpoint.namespaceLabels)) return false;
  } else if (endpoint.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? labelsMatch(peer.podSelector, endpoint.labels) : true;
}

// A port rule against the receiving pod (named ports resolve on it).
function portMatches(rulePort, receiver, port, protocol) {
  if ((rulePort.protocol ?? "TCP") !== protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === "string") {
    return (receiver.ports ?? []).some((p) => p.name === rulePort.port && p.containerPort === port && (p.protocol ?? "TCP") === protocol);
  }
  return port >= rulePort.port && port <= (rulePort.endPort ?? rulePort.port);
}

function types(policy) {
  return policy.spec.policyTypes ?? (policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

// Whether `pod` may send (direction "Egress", peer = destination) or receive
// ("Ingress", peer = source) on port/protocol, given the policies.
function allowedFor(policies, pod, direction, peer, receiver, port, protocol) {
  const selecting = policies.filter((p) =>
    (p.metadata.namespace ?? pod.namespace) === pod.namespace &&
    labelsMatch(p.spec.podSelector ?? {}, pod.labels) && types(p).includes(direction));
  if (selecting.length === 0) return true; // not isolated
  const key = direction === "Egress" ? "egress" : "ingress";
  const peersKey = direction === "Egress" ? "to" : "from";
  return selecting.some((p) => (p.spec[key] ?? []).some((r) =>
    ((r[peersKey] ?? []).length === 0 || r[peersKey].some((x) => peerMatches(x, pod.namespace, peer))) &&
    ((r.ports ?? []).length === 0 || r.ports.some((rp) => portMatches(rp, receiver, port, protocol)))));
}

export function allowed(policies, from, to, port, protocol = "TCP") {
  const egress = from.ip ? true : allowedFor(policies, from, "Egress", to, to, port, protocol);
  const ingress = to.ip ? true : allowedFor(policies, to, "Ingress", from, to, port, protocol);
  return egress && ingress;
}
