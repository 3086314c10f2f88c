import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/cli/io.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colorLevel', () => {
  it('is off with --no-color, whatever the environment', () => {
    expect(colorLevel(tty, { FORCE_COLOR: '3', COLORTERM: 'truecolor' }, false)).toBe(0);
  });

  it('is off with NO_COLOR set to anything non-empty', () => {
    expect(colorLevel(tty, { NO_COLOR: '1' }, true)).toBe(0);
    expect(colorLevel(tty, { NO_COLOR: 'yes', COLORTERM: 'truecolor' }, true)).toBe(0);
  });

  it('ignores an empty NO_COLOR (no-color.org)', () => {
    expect(colorLevel(tty, { NO_COLOR: '' }, true)).toBe(1);
  });

  it('obeys FORCE_COLOR, even on a pipe and over NO_COLOR', () => {
    expect(colorLevel(tty, { FORCE_COLOR: '0' }, true)).toBe(0);
    expect(colorLevel(pipe, { FORCE_COLOR: '1' }, true)).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: '2' }, true)).toBe(2);
    expect(colorLevel(pipe, { FORCE_COLOR: '3' }, true)).toBe(3);
    expect(colorLevel(pipe, { FORCE_COLOR: '9' }, true)).toBe(3);
    expect(colorLevel(pipe, { FORCE_COLOR: '' }, true)).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: 'true' }, true)).toBe(1);
    expect(colorLevel(tty, { FORCE_COLOR: 'false' }, true)).toBe(0);
    expect(colorLevel(pipe, { FORCE_COLOR: 'always' }, true)).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, true)).toBe(1);
  });

  it('is off on a pipe or a file', () => {
    expect(colorLevel(pipe, {}, true)).toBe(0);
    expect(colorLevel({}, { COLORTERM: 'truecolor' }, true)).toBe(0);
  });

  it('is off on a dumb terminal', () => {
    expect(colorLevel(tty, { TERM: 'dumb' }, true)).toBe(0);
  });

  it('picks the level a terminal supports', () => {
    expect(colorLevel(tty, {}, true)).toBe(1);
    expect(colorLevel(tty, { TERM: 'xterm' }, true)).toBe(1);
    expect(colorLevel(tty, { TERM: 'xterm-256color' }, true)).toBe(2);
    expect(colorLevel(tty, { TERM: 'screen-256' }, true)).toBe(2);
    expect(colorLevel(tty, { COLORTERM: 'truecolor' }, true)).toBe(3);
    expect(colorLevel(tty, { COLORTERM: '24bit', TERM: 'xterm-256color' }, true)).toBe(3);
  });
});
