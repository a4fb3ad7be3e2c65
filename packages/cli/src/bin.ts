#!/usr/bin/env node
import { platform } from "aral";
import { main } from "./main.ts";

void main(platform, platform.process.argv).then((code) => platform.process.exit(code));
