#!/usr/bin/env node
import { runProcess } from '../dist/bundle/cli.js';

await runProcess();
