await import("aral");
