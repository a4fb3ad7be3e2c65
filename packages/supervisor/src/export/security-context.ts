/** Least privilege for the pod: a numeric non-root user, the runtime's default seccomp profile. */
export function podSecurityContext(user: { uid: number; gid: number }) {
  return {
    runAsNonRoot: true,
    runAsUser: user.uid,
    runAsGroup: user.gid,
    // Volumes (the persistent claim, emptyDirs) become writable by the agent's group.
    fsGroup: user.gid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Least privilege for the agent's container: no privilege escalation, no capabilities, read-only root filesystem. */
export function containerSecurityContext() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
