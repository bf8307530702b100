#!/usr/bin/env node
import { createProgram } from './program.js'

const program = createProgram()
// No command given: show what there is instead of failing.
if (process.argv.length <= 2) program.outputHelp()
else await program.parseAsync(process.argv)
