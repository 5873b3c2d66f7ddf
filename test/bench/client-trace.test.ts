// The client benchmarks' reading of Chromium traces and V8 CPU profiles, on records made by hand.
import { describe, expect, it } from 'vitest';
import { mainThreadTime, selfTimes, type CpuProfile } from '../../bench/client-trace.mjs';

const MAIN = { pid: 1, tid: 7 };
const meta = [
  { ...MAIN, ph: 'M', name: 'thread_name', args: { name: 'CrRendererMain' } },
  { pid: 1, tid: 9, ph: 'M', name: 'thread_name', args: { name: 'Compositor' } },
];
// A complete event: wall start and length, thread start and length (µs).
const x = (name: string, ts: number, dur: number, tts: number, tdur: number, thread = MAIN) => ({
  ...thread,
  ph: 'X',
  cat: 'x',
  name,
  ts,
  dur,
  tts,
  tdur,
});
const mark = (ts: number) => ({ ...MAIN, ph: 'R', cat: 'blink.user_timing', name: 'release', ts });
const trace = (...events: object[]) => JSON.stringify({ traceEvents: [...meta, ...events] });

describe('mainThreadTime', () => {
  it('sums the thread time of each kind of work in the tasks from the mark on', () => {
    const t = mainThreadTime(
      trace(
        x('RunTask', 0, 500, 0, 400), // before the mark: not counted
        x('EvaluateScript', 10, 100, 10, 100),
        mark(1000),
        x('RunTask', 990, 4000, 1000, 2500), // runs the mark: counted
        x('ParseHTML', 1000, 2900, 1000, 1900),
        x('EvaluateScript', 1100, 1000, 1100, 1000), // inside the parser: script
        x('Layout', 4000, 600, 3000, 500),
        x('RunTask', 5000, 1000, 4000, 800),
        x('Paint', 5100, 500, 4100, 300),
        x('Paint', 5000, 10_000, 0, 10_000, { pid: 1, tid: 9 }), // another thread
      ),
    );
    expect([t.tasks, t.paints]).toEqual([2, 1]);
    expect(Object.keys(t.byName).sort()).toEqual(['EvaluateScript', 'Layout', 'Paint', 'ParseHTML', 'RunTask']);
    expect(t.byName.ParseHTML).toBeCloseTo(0.9);
    expect([t.script, t.style, t.paint, t.parse, t.other, t.total].map((v) => Math.round(v * 1000) / 1000)).toEqual([
      1, 0.5, 0.3, 0.9, 0.6, 3.3,
    ]);
  });

  it('reads begin/end pairs as well as complete events', () => {
    const t = mainThreadTime(
      trace(
        mark(0),
        x('RunTask', 10, 100, 10, 100),
        { ...MAIN, ph: 'B', cat: 'x', name: 'UpdateLayoutTree', ts: 20, tts: 20 },
        { ...MAIN, ph: 'E', cat: 'x', name: 'UpdateLayoutTree', ts: 80, tts: 80 },
      ),
    );
    expect(t.style).toBeCloseTo(0.06);
    expect(t.other).toBeCloseTo(0.04);
  });

  it('counts an unnamed event inside named work as that work', () => {
    const t = mainThreadTime(
      trace(
        mark(0),
        x('RunTask', 10, 100, 10, 100),
        x('FunctionCall', 10, 100, 10, 100),
        x('V8.StackGuard', 20, 50, 20, 50),
      ),
    );
    expect(t.script).toBeCloseTo(0.1);
    expect(t.other).toBe(0);
  });

  it('refuses a trace without the mark, or with the mark on another thread', () => {
    expect(() => mainThreadTime(trace(x('RunTask', 0, 1, 0, 1)))).toThrow('performance.mark("release")');
    expect(() => mainThreadTime(trace({ ...mark(0), tid: 9 }))).toThrow('ran on Compositor');
  });
});

describe('selfTimes', () => {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
      {
        id: 2,
        callFrame: frame('show', 'http://h/rt/readable.js', 9),
        positionTicks: [
          { line: 12, ticks: 3 },
          { line: 14, ticks: 1 },
        ],
        children: [5],
      },
      { id: 3, callFrame: frame('', 'http://h/page/1') },
      { id: 4, callFrame: frame('(garbage collector)', '') },
      { id: 5, callFrame: frame('CustomEvent', '') }, // native, called by show
    ],
    samples: [2, 2, 2, 2, 3, 3, 4, 5],
    timeDeltas: [0, 1000, 1000, 1000, 90_000, 1000, 1000, 1000, 1000], // a long gap (descheduled) counts one sample
  };

  it("splits the runtime's self time by function and by line, and groups the rest, one interval per sample", () => {
    const { functions, lines, groups } = selfTimes(profile, 'http://h/rt/readable.js', 'http://h/page/1', 1000);
    expect(functions).toEqual({ 'show (line 10)': 4, 'CustomEvent (native, called by show, line 10)': 1 });
    expect(lines).toEqual({ 12: 3, 14: 1 });
    expect(groups).toEqual({ '(payload scripts)': 2, '(garbage collector)': 1 });
  });
});
