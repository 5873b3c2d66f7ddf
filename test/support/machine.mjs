// The machine the figures come from, printed by every benchmark and stress campaign.
import os from 'node:os';

/** The machine as data (bench/results/latest.json keeps it with the figures). */
export const machine = () => {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    // Other work on the machine skews every figure: say how busy it was.
    load: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
};

/** The machine in one line, for a campaign's output. */
export const machineLine = (m = machine()) =>
  `machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, Node ${m.node}, ${m.os}, load ${m.load.join(' ')}`;
