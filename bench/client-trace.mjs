// Reading Chromium's own records for the client benchmarks: main-thread time from a trace (CDP Tracing), split the
// way DevTools' Performance panel splits it, and self time per function and per source line from a V8 CPU profile.

/** Trace categories: the timeline's task and event records, with thread time, plus performance.mark(). */
export const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing', 'v8.execute'];

// Event name -> kind of work (DevTools' categories). An event of another name counts to the event around it; a task
// with no named work inside is 'other' (scheduling, IPC, the task's own bookkeeping).
const KIND = {};
for (const [kind, names] of Object.entries({
  script:
    'EvaluateScript FunctionCall TimerFire FireAnimationFrame FireIdleCallback EventDispatch RunMicrotasks V8.Execute ' +
    'v8.compile v8.compileModule v8.evaluateModule v8.run v8.callFunction v8.produceCache v8.newInstance MinorGC MajorGC ' +
    'V8.GCScavenger V8.GCCompactor V8.GCFinalizeMC V8.GC_MC_BACKGROUND_MARKING BlinkGC.AtomicPauseMarkTransitiveClosure ' +
    'CppGC.AtomicPause CppGC.IncrementalMark XHRReadyStateChange TimerInstall RequestAnimationFrame',
  style:
    'UpdateLayoutTree RecalculateStyles ScheduleStyleRecalculation InvalidateLayout Layout ParseAuthorStyleSheet ' +
    'HitTest UpdateLayerTree LayoutShift IntersectionObserverController::computeIntersections',
  paint:
    'PrePaint Paint PaintImage PaintSetup Layerize CompositeLayers Commit UpdateLayer Decode\u0020Image ImageDecodeTask',
  parse: 'ParseHTML',
}))
  for (const name of names.split(' ')) KIND[name] = kind;
export const KINDS = ['script', 'style', 'paint', 'parse', 'other'];

/**
 * Main-thread time of the renderer after performance.mark(`mark`), from a trace (a Buffer or its text): every task of
 * the thread that ran the mark and ended after it, to the end of the trace, summed as thread time (CPU time of that
 * thread: time it waited for nothing counts nothing), split by KIND. Returns ms per kind, `total`, and how many tasks
 * and Paint events (frames) that was; `byName`: self thread time per event name.
 */
export function mainThreadTime(trace, mark = 'release') {
  const { traceEvents: events } = JSON.parse(String(trace));
  const at = events.find((e) => e.name === mark && e.cat.includes('blink.user_timing'));
  if (!at) throw new Error(`the trace holds no performance.mark("${mark}")`);
  const threadName = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === at.pid && e.tid === at.tid,
  )?.args.name;
  if (threadName !== 'CrRendererMain')
    throw new Error(`mark "${mark}" ran on ${threadName}, not the renderer's main thread`);
  // The thread's timed events as [start, end, threadStart, threadEnd, name]: complete events, and begin/end pairs.
  const spans = [];
  const open = [];
  for (const e of events) {
    if (e.pid !== at.pid || e.tid !== at.tid) continue;
    if (e.ph === 'X' && e.dur !== undefined)
      spans.push({
        ts: e.ts,
        end: e.ts + e.dur,
        tts: e.tts,
        tend: e.tts + (e.tdur ?? 0),
        name: e.name,
        timed: e.tdur !== undefined,
      });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b)
        spans.push({
          ts: b.ts,
          end: e.ts,
          tts: b.tts,
          tend: e.tts,
          name: b.name,
          timed: b.tts !== undefined && e.tts !== undefined,
        });
    }
  }
  spans.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const ms = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const byName = {}; // self thread time per event name
  let tasks = 0;
  let paints = 0; // the main thread paints once per frame it renders
  const stack = []; // { span, kind, children (thread time of direct children) }
  const close = (until) => {
    while (stack.length && stack.at(-1).span.end <= until) {
      const { span, kind, children, counted } = stack.pop();
      const own = span.timed ? span.tend - span.tts : 0;
      if (counted) {
        ms[kind] += Math.max(0, own - children) / 1000;
        byName[span.name] = (byName[span.name] ?? 0) + Math.max(0, own - children) / 1000;
      }
      if (stack.length) stack.at(-1).children += own;
    }
  };
  for (const span of spans) {
    close(span.ts);
    const parent = stack.at(-1);
    // Top-level: a task; it counts when it ends after the mark (the task that ran the mark included).
    const counted = parent ? parent.counted : span.end >= at.ts;
    if (!parent && counted) tasks++;
    if (counted && span.name === 'Paint') paints++;
    stack.push({ span, kind: KIND[span.name] ?? parent?.kind ?? 'other', children: 0, counted });
  }
  close(Infinity);
  ms.total = KINDS.reduce((sum, k) => sum + ms[k], 0);
  return { ...ms, tasks, paints, byName };
}

/**
 * Self time of a V8 CPU profile (sampled every `interval` µs) by function and by source line, for frames of `url` (the readable runtime); every other
 * frame is grouped: '(payload scripts)' for the page's inline scripts (pageUrl), and V8's own '(garbage collector)',
 * '(program)' (native work no JS frame called: the HTML parser, style, layout), '(idle)'. Native work a JS function
 * called (innerHTML, dispatchEvent, getElementById) is mostly that function's self time, on the line that called it;
 * a native function the profiler shows as its own frame (CustomEvent) counts as a runtime function named by caller.
 */
export function selfTimes(profile, url, pageUrl, interval = 50) {
  const byId = new Map(profile.nodes.map((n) => [n.id, { node: n, ms: 0 }]));
  // Samples counted, each worth the sampling interval, rather than the wall time between them: on a busy machine the
  // renderer is descheduled for a while and the gap would go to whatever function happened to be running.
  for (const id of profile.samples) byId.get(id).ms += interval / 1000;
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, byId.get(n.id).node);
  const functions = {};
  const lines = {};
  const groups = {};
  for (const { node, ms } of byId.values()) {
    if (!ms) continue;
    const { callFrame } = node;
    const caller = parent.get(node.id)?.callFrame;
    if (!callFrame.url && caller?.url === url) {
      // A native function the runtime called that the profiler shows on its own (new CustomEvent, a Trusted Types
      // policy's createHTML): the runtime's time, named with its caller.
      const name = `${callFrame.functionName} (native, called by ${caller.functionName || 'top level'}, line ${caller.lineNumber + 1})`;
      functions[name] = (functions[name] ?? 0) + ms;
    } else if (callFrame.url === url) {
      const name = `${callFrame.functionName || '(top level)'} (line ${callFrame.lineNumber + 1})`;
      functions[name] = (functions[name] ?? 0) + ms;
      const ticks = node.positionTicks ?? [];
      const all = ticks.reduce((s, t) => s + t.ticks, 0);
      for (const t of ticks) lines[t.line] = (lines[t.line] ?? 0) + (ms * t.ticks) / all;
      if (!all) lines[callFrame.lineNumber + 1] = (lines[callFrame.lineNumber + 1] ?? 0) + ms;
    } else {
      const group =
        callFrame.url === pageUrl
          ? '(payload scripts)'
          : callFrame.url
            ? `(other script: ${callFrame.url})`
            : callFrame.functionName
              ? `(${callFrame.functionName.replace(/^\(|\)$/g, '')})`
              : '(native)';
      groups[group] = (groups[group] ?? 0) + ms;
    }
  }
  return { functions, lines, groups };
}
