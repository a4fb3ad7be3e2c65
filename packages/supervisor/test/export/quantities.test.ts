import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseBytes, parseCpu } from "@aral/core/resources";
import {
  cpuMillicores,
  kubernetesBytes,
  kubernetesCpu,
  systemdBytes,
  systemdCpuQuota,
  systemdCpuWeight,
} from "../../src/export/index.ts";

describe("quantity conversion is exact", () => {
  it("CPU: Kubernetes' canonical form", () => {
    expect(kubernetesCpu("2000m")).toEqual({ quantity: "2", exact: true });
    expect(kubernetesCpu("500m")).toEqual({ quantity: "500m", exact: true });
    expect(kubernetesCpu(1.5)).toEqual({ quantity: "1500m", exact: true });
    expect(kubernetesCpu("0.1")).toEqual({ quantity: "100m", exact: true });
    expect(kubernetesCpu("1.005")).toEqual({ quantity: "1005m", exact: true }); // 1.005 * 1000 is 1004.999… in floating point
    expect(kubernetesCpu("2e-1")).toEqual({ quantity: "200m", exact: true });
    expect(kubernetesCpu("0.0001")).toEqual({ quantity: "1m", exact: false }); // below 1m: rounded up, reported
  });

  it("memory: as written when whole bytes, else whole bytes rounded up", () => {
    expect(kubernetesBytes("512Mi")).toEqual({ quantity: "512Mi", exact: true });
    expect(kubernetesBytes("1G")).toEqual({ quantity: "1G", exact: true });
    expect(kubernetesBytes(536870912)).toEqual({ quantity: "512Mi", exact: true });
    expect(kubernetesBytes("1.5")).toEqual({ quantity: "2", exact: false });
    expect(systemdBytes("2Gi")).toBe("2G"); // systemd's G is 1024³
    expect(systemdBytes("1G")).toBe("1000000000");
  });

  it("systemd CPU: 100% and weight 100 per core", () => {
    expect(systemdCpuQuota("2000m")).toEqual({ quota: "200%", exact: true });
    expect(systemdCpuQuota("250m")).toEqual({ quota: "25%", exact: true });
    expect(systemdCpuQuota("1m")).toEqual({ quota: "0.1%", exact: true });
    expect(systemdCpuWeight("500m")).toBe(50);
    expect(systemdCpuWeight("1000")).toBe(10_000);
  });

  it("any millicore quantity round-trips through Kubernetes and systemd", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (millicores) => {
        const text = `${millicores}m`;
        expect(parseCpu(kubernetesCpu(text).quantity)).toBe(parseCpu(text));
        expect(cpuMillicores(text)).toEqual({ millicores, exact: true });
        expect(Math.round(Number(systemdCpuQuota(text).quota.replace("%", "")) * 10)).toBe(millicores);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 22 }), fc.constantFrom("", "Ki", "Mi", "Gi"), (n, suffix) => {
        const text = `${n}${suffix}`;
        expect(parseBytes(kubernetesBytes(text).quantity)).toBe(parseBytes(text));
        const systemd = /^(\d+)([KMGTPE]?)$/.exec(systemdBytes(text))!;
        expect(Number(systemd[1]) * 1024 ** " KMGTPE".indexOf(systemd[2] || " ")).toBe(parseBytes(text));
      }),
    );
  });
});
