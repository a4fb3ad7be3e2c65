import { resolvePath } from "../fleet/fleet-file.ts";
import type { ExportAgent } from "./agent.ts";
import { exportRuntimeCommand, isWithin } from "./agent-command.ts";
import { auditFiles } from "./audit-log.ts";
import { ExportError } from "./errors.ts";
import { Notes } from "./notes.ts";
import { systemdBytes, systemdCpuQuota, systemdCpuWeight, systemdTimeSpan } from "./quantities.ts";
import { pidsLimit, stopSignal, terminationGracePeriodMs } from "./stop-settings.ts";
import { storageRoots } from "./storage-roots.ts";

/** First systemd release that knows RestartSteps= and RestartMaxDelaySec=. */
export const RESTART_STEPS_SINCE = 254;
/** `aral run`'s crash-loop window and default restart budget: StartLimitIntervalSec= / StartLimitBurst=. */
const RESTART_WINDOW_S = 60;
const DEFAULT_MAX_RESTARTS = 5;

export interface SystemdExportOptions {
  /** Executable of the runtime; default its bare name, which systemd looks up in its own fixed PATH. */
  execPath?: string;
  /** Working directory, and the base of a relative entry; default the entry's directory. */
  workingDirectory?: string;
  /** The unprivileged user the agent runs as; default "aral" (create it: `useradd --system aral`). */
  user?: string;
  /** The systemd version the unit is for (RestartSteps= needs 254); default RESTART_STEPS_SINCE - 2 = Debian 12's 252 unless given. */
  systemdVersion?: number;
  /** Restarts within 60 s before systemd gives up (StartLimitBurst = maxRestarts + 1); default 5, as `aral run`. */
  maxRestarts?: number;
}

export interface SystemdUnit {
  /** "<agent>.service", or "<agent>@.service" (a template) for several instances. */
  fileName: string;
  text: string;
}

export interface SystemdExport {
  units: SystemdUnit[];
  notes: Notes["list"];
}

/** User= as systemd's strict rule takes it (others it warns about, or refuses), or a numeric uid. */
const SYSTEMD_USER = /^(?:[A-Za-z_][A-Za-z0-9_-]{0,30}|\d{1,10})$/;

/** Directories ProtectHome=yes makes inaccessible, and the ones PrivateTmp=yes replaces with the service's own. */
const HIDDEN_HOME = ["/home", "/root", "/run/user"];
const PRIVATE_TMP = ["/tmp", "/var/tmp"];

/**
 * A fleet agent's executable as systemd needs it: ExecStart= takes an absolute path or a bare name (looked up in
 * systemd's own PATH), not a relative path. `aral up` runs a relative one ("./run.sh", "bin/agent") from the
 * agent's working directory: the unit gets that file's absolute path.
 */
function commandExecutable(executable: string, workingDirectory: string): string {
  return executable.includes("/") ? resolvePath(workingDirectory, executable) : executable;
}

function dirOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** One word of a space-separated list (ReadWritePaths=, Environment=): "%" escaped, quoted when it holds blanks or quotes. */
function word(text: string, field: string): string {
  const escaped = value(text, field);
  return /[\s"'\\;]/.test(escaped) || escaped === ""
    ? `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`
    : escaped;
}

/** One word of ExecStart=: as `word`, with "$" doubled (ExecStart= expands $VARIABLES). */
function execWord(text: string): string {
  return word(text.replace(/\$/g, "$$$$"), "ExecStart");
}

/**
 * A directive value: specifiers ("%") escaped; line breaks refused (they would start a new directive), and so are
 * NUL and the other control characters but tab (a unit file is text; an argument or a variable cannot hold NUL).
 */
function value(text: string, field: string): string {
  if (/[\n\r]/.test(text))
    throw new ExportError(field, `${field} must not contain a line break, got ${JSON.stringify(text)}`);
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text))
    throw new ExportError(field, `${field} must not contain a control character, got ${JSON.stringify(text)}`);
  return text.replace(/%/g, "%%");
}

/**
 * A systemd service for one agent: the kernel limits of the manifest (MemoryMax, MemorySwapMax, CPUQuota,
 * CPUWeight, TasksMax), the stop (KillMode=control-group, KillSignal, TimeoutStopSec = the termination grace
 * period), restarts with the manifest's backoff, and least privilege (own user, NoNewPrivileges,
 * ProtectSystem=strict with only the storage roots and the audit log's directory writable, PrivateTmp, no
 * capabilities). systemd starts a service with an empty environment: the agent sees exactly Environment= and the
 * EnvironmentFile= of its allow-listed variables.
 */
export function exportSystemd(agent: ExportAgent, options: SystemdExportOptions = {}): SystemdExport {
  const notes = new Notes(agent.name, agent.written);
  const { config, name } = agent;
  const systemdVersion = options.systemdVersion ?? RESTART_STEPS_SINCE - 2;
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const entry = agent.entry ?? "agent.ts";
  const workingDirectory = options.workingDirectory ?? agent.cwd ?? (entry.startsWith("/") ? dirOf(entry) : undefined);
  if (workingDirectory === undefined || !workingDirectory.startsWith("/")) {
    throw new ExportError(
      "workdir",
      `systemd needs an absolute working directory: give an absolute entry or --workdir, got ${JSON.stringify(workingDirectory ?? entry)}`,
    );
  }
  const absoluteEntry = entry.startsWith("/")
    ? entry
    : `${workingDirectory.replace(/\/+$/, "")}/${entry.replace(/^\.\//, "")}`;
  const manifestPath = agent.manifest?.path;
  const command =
    agent.command !== undefined
      ? [commandExecutable(agent.command[0]!, workingDirectory), ...agent.command.slice(1), ...agent.args]
      : exportRuntimeCommand(agent, absoluteEntry, { manifestPath, execPath: options.execPath });
  const template = agent.instances > 1;
  // ExecStart= reads a leading "@", "-", ":", "+", "!" or "|" as a prefix (ignore failure, run as root, ...), not as
  // part of the executable's name
  if (/^[@\-:+!|]/.test(command[0]!))
    throw new ExportError(
      agent.command !== undefined ? "command" : "exec-path",
      `${agent.command !== undefined ? `agent ${name}: its command's executable` : "--exec-path"} ${JSON.stringify(command[0])} starts with a character ExecStart= reads as a prefix (@ - : + ! |): give its path (e.g. ./${command[0]})`,
      agent.command !== undefined ? "input" : "option",
    );
  const user = options.user ?? "aral";
  if (!SYSTEMD_USER.test(user))
    throw new ExportError(
      "user",
      `--user must be a user name (a letter or _, then letters, digits, _ or -, at most 31) or a numeric uid, got ${JSON.stringify(user)}`,
    );

  const { cpu, memory, storage } = config.resources;
  const lines: string[] = [];
  // Plain settings (numbers, sizes, keywords) as they are; free text and paths through `value` (specifiers escaped).
  const directive = (key: string, text: string | number) => lines.push(`${key}=${text}`);
  const textDirective = (key: string, text: string) => lines.push(`${key}=${value(text, key)}`);
  lines.push(`# ${name}: generated by \`aral export systemd\`${manifestPath ? ` from ${manifestPath}` : ""}`);
  if (template)
    lines.push(
      `# ${agent.instances} instances: systemctl enable --now ${Array.from({ length: agent.instances }, (_, i) => `${name}@${i}`).join(" ")}`,
    );
  lines.push("[Unit]");
  lines.push(`Description=ARAL agent ${name}${template ? " (instance %i)" : ""}`);
  directive("After", "network-online.target");
  directive("Wants", "network-online.target");
  directive("StartLimitIntervalSec", `${RESTART_WINDOW_S}s`);
  directive("StartLimitBurst", maxRestarts + 1);
  lines.push("", "[Service]");
  directive("Type", "exec");
  lines.push(`ExecStart=${command.map(execWord).join(" ")}`);
  textDirective("WorkingDirectory", workingDirectory);
  textDirective("User", user);
  if (manifestPath !== undefined) lines.push(`Environment=${word(`ARAL_MANIFEST=${manifestPath}`, "Environment")}`);
  for (const [variable, setting] of Object.entries(agent.settings ?? {}))
    lines.push(`Environment=${word(`${variable}=${setting}`, "Environment")}`);
  // As aral up gives each instance: its agent's name and its number (the template's instance, enabled as @0 ... @n-1).
  lines.push(`Environment=ARAL_AGENT=${name}`, `Environment=ARAL_INSTANCE=${template ? "%i" : "0"}`);
  if (template) lines.push(`Environment=ARAL_INSTANCE_ID=${name}-%i`);
  if (agent.allowEnv.length > 0) {
    lines.push(
      `# ${agent.allowEnv.join(", ")}: NAME=value lines in this file (root-owned, mode 0600), never in the unit`,
    );
    textDirective("EnvironmentFile", `/etc/aral/${name}.env`);
  }

  // Restart policy and backoff (errorHandling.backoffMs ... maxBackoffMs, as `aral run`).
  directive("Restart", "on-failure");
  directive("RestartSec", systemdTimeSpan(Math.max(config.errorHandling.backoffMs, 100)));
  if (config.errorHandling.backoffMs < 100)
    notes.approximated(
      "errorHandling.backoffMs",
      `RestartSec=100ms: systemd's own minimum (${config.errorHandling.backoffMs} ms asked)`,
    );
  const { backoffMs, maxBackoffMs } = config.errorHandling;
  if (maxBackoffMs > backoffMs) {
    if (systemdVersion >= RESTART_STEPS_SINCE) {
      // The supervisor doubles the delay each restart: that is log2(max / first) steps from RestartSec to the cap.
      directive(
        "RestartSteps",
        Math.min(3600, Math.max(1, Math.ceil(Math.log2(maxBackoffMs / Math.max(backoffMs, 100))))),
      );
      directive("RestartMaxDelaySec", systemdTimeSpan(maxBackoffMs));
    } else {
      notes.notExpressible(
        "errorHandling.maxBackoffMs",
        `growing restart delays need systemd ${RESTART_STEPS_SINCE} (RestartSteps=, RestartMaxDelaySec=); for systemd ${systemdVersion} every restart waits RestartSec=${systemdTimeSpan(Math.max(backoffMs, 100))} (--systemd-version)`,
      );
    }
  }

  // Stop: SIGTERM (or the manifest's first stop signal) to the agent, everything in the cgroup killed at the grace period.
  directive("KillMode", "control-group");
  const signal = stopSignal(config);
  if (signal === undefined)
    notes.notExpressible(
      "lifecycle.shutdownSignals",
      "no signal starts a graceful stop: KillSignal=SIGTERM will end the agent without its drain",
    );
  directive("KillSignal", signal ?? "SIGTERM");
  directive("TimeoutStopSec", systemdTimeSpan(terminationGracePeriodMs(config)));

  // Kernel limits (cgroup).
  if (memory.limit !== undefined) directive("MemoryMax", systemdBytes(memory.limit));
  if (memory.request !== undefined) directive("MemoryLow", systemdBytes(memory.request));
  directive("MemorySwapMax", memory.swap ? "infinity" : "0");
  if (cpu.limit !== undefined) {
    const { quota, exact } = systemdCpuQuota(cpu.limit);
    if (!exact)
      notes.approximated("resources.cpu.limit", `${JSON.stringify(cpu.limit)} is finer than 1m: CPUQuota=${quota}`);
    directive("CPUQuota", quota);
  }
  if (cpu.request !== undefined) directive("CPUWeight", systemdCpuWeight(cpu.request));
  const tasks = pidsLimit(config);
  if (tasks !== undefined) directive("TasksMax", tasks);

  // Least privilege.
  directive("NoNewPrivileges", "yes");
  directive("ProtectSystem", "strict");
  // Relative roots are the working directory's, as the runtime resolves them: ReadWritePaths= takes absolute paths
  // only (systemd ignores a relative one, and the storage stayed read-only under ProtectSystem=strict).
  const resolved = storageRoots(config, workingDirectory, name);
  const roots = [
    ...new Set([resolved.persistent, resolved.ephemeral].filter((root): root is string => root !== undefined)),
  ];
  // The audit log is appended to (and first created) in its directory: writable as the storage roots are,
  // unless it lies in one (or where the sandbox hides or replaces the host's files: noted below). Its key is only
  // read, which ProtectSystem=strict allows; kept read-only even when it lies in a writable directory, so the
  // agent cannot rewrite the key its log is signed with.
  const audit = auditFiles(config, workingDirectory);
  const writable =
    audit === undefined || [...roots, ...HIDDEN_HOME, ...PRIVATE_TMP].some((root) => isWithin(root, audit.path))
      ? roots
      : [...roots, audit.dir];
  if (writable.length > 0)
    lines.push(`ReadWritePaths=${writable.map((root) => word(root, "ReadWritePaths")).join(" ")}`);
  const keyFile = audit?.keyFile;
  if (keyFile !== undefined && writable.some((root) => isWithin(root, keyFile)))
    lines.push(`ReadOnlyPaths=${word(keyFile, "ReadOnlyPaths")}`);
  directive("PrivateTmp", "yes");
  directive("ProtectHome", "yes");
  directive("PrivateDevices", "yes");
  directive("ProtectKernelTunables", "yes");
  directive("ProtectKernelModules", "yes");
  directive("ProtectKernelLogs", "yes");
  directive("ProtectControlGroups", "yes");
  directive("ProtectClock", "yes");
  directive("ProtectHostname", "yes");
  directive("RestrictSUIDSGID", "yes");
  directive("RestrictRealtime", "yes");
  directive("RestrictNamespaces", "yes");
  directive("LockPersonality", "yes");
  directive("CapabilityBoundingSet", "");
  directive("AmbientCapabilities", "");
  directive("SystemCallArchitectures", "native");
  directive("UMask", "0077");
  // No MemoryDenyWriteExecute=: V8 and JavaScriptCore compile JavaScript to machine code (W+X pages).
  lines.push("", "[Install]");
  directive("WantedBy", "multi-user.target");

  // What a unit cannot say.
  if (storage.maxSize !== undefined)
    notes.notExpressible(
      "resources.storage.maxSize",
      "systemd has no per-service disk quota; the runtime's storage API still enforces it in-process",
    );
  if (notes.written("lifecycle.healthcheck"))
    notes.notExpressible(
      "lifecycle.healthcheck",
      "systemd does not probe HTTP health endpoints (only WatchdogSec= with sd_notify); the checks still run in-process and serve /health/* when health.enabled",
    );
  if (notes.written("lifecycle.startupTimeout"))
    notes.notExpressible(
      "lifecycle.startupTimeout",
      "a Type=exec unit counts as started once the process runs; the runtime enforces the timeout itself (a failed start exits non-zero and is restarted)",
    );
  if (audit !== undefined) {
    for (const [field, path] of [
      ["logging.audit.path", audit.path],
      ["logging.audit.keyFile", audit.keyFile],
    ] as const) {
      if (path !== undefined && HIDDEN_HOME.some((root) => isWithin(root, path)))
        notes.notExpressible(
          field,
          `ProtectHome=yes hides /home, /root and /run/user from the service: ${path} cannot be reached; move it (e.g. under /var/lib/${name})`,
        );
      else if (path !== undefined && PRIVATE_TMP.some((root) => isWithin(root, path))) {
        const tmp = `PrivateTmp=yes gives the service its own ${path.startsWith("/var/tmp") ? "/var/tmp" : "/tmp"}, empty at start and removed when it stops`;
        // A log there is written, just not kept; a key there is never found.
        if (path === audit.keyFile)
          notes.notExpressible(field, `${tmp}: the host's ${path} is not in it; move it (e.g. under /etc/aral)`);
        else notes.approximated(field, `${tmp}: ${path} is not kept; move it (e.g. under /var/lib/${name})`);
      }
    }
  }
  // The agent's own files where the sandbox hides (ProtectHome=) or replaces (PrivateTmp=) the host's: the unit
  // would fail at start (CHDIR, or the runtime not finding its entry or manifest).
  const executable = command[0]!;
  let notedDirectory = false;
  for (const [what, path] of [
    ["working directory", workingDirectory],
    ["entry", agent.command === undefined ? absoluteEntry : undefined],
    ["manifest", manifestPath],
    ["executable", executable.startsWith("/") ? executable : undefined],
  ] as const) {
    // said once for the working directory, not again for each file in it
    if (path === undefined || (what !== "working directory" && notedDirectory && isWithin(workingDirectory, path)))
      continue;
    const hidden = HIDDEN_HOME.find((root) => isWithin(root, path));
    const replaced = PRIVATE_TMP.find((root) => isWithin(root, path));
    if (what === "working directory") notedDirectory = hidden !== undefined || replaced !== undefined;
    if (hidden !== undefined)
      notes.unreachable(
        `(${what})`,
        `${path} is under ${hidden}, which ProtectHome=yes makes inaccessible to the service: the unit cannot start as written; install it outside /home, /root and /run/user (e.g. under /srv/${name} or /opt)`,
      );
    else if (replaced !== undefined)
      notes.unreachable(
        `(${what})`,
        `${path} is under ${replaced}, which PrivateTmp=yes replaces with the service's own empty one: the unit cannot start as written; install it elsewhere (e.g. under /srv/${name} or /opt)`,
      );
  }
  if (notes.written("version"))
    notes.notExpressible(
      "version",
      `the unit runs whichever ${command[0]} is installed; the runtime warns at start when it is older than ${config.version}`,
    );

  return {
    units: [{ fileName: `${name}${template ? "@" : ""}.service`, text: `${lines.join("\n")}\n` }],
    notes: notes.list,
  };
}
