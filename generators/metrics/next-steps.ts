/**
 * What to do after generating: the packages to add for the features chosen (with
 * versions), the lines that wire the package in, how to see it work and how to see
 * the events. Printed by the plop action and the bin; the README says the same.
 *
 * Lines starting with `$ ` are commands to run as they are, from the target directory.
 */
import type { Answers } from './schema.js';

/** Versions the generated code is tested with. */
export const TESTED = {
  psutil: '7.2.2',
  typesPsutil: '7.2.2.20261111',
  omnibaseInfra: '0.38.76',
  pytest: '9.2.0',
  platformaticKafka: '2.12.1',
  tsx: '4.23.15',
  vitest: '5.1.2',
} as const;

const indent = (lines: readonly string[], by = '    ') => lines.map((line) => (line ? `${by}${line}` : line));

function python(answers: Answers): string[] {
  const onex = answers.envelope === 'onex';
  const operation = answers.operations[0]!;
  const dependencies = [
    'Dependencies: none beyond the Python standard library (3.11 or later). Optional:',
    ...(answers.enableResourceMetrics
      ? [`  psutil==${TESTED.psutil}  memory and CPU from psutil (for mypy: types-psutil==${TESTED.typesPsutil})`]
      : []),
    onex
      ? `  omnibase-infra==${TESTED.omnibaseInfra}  Kafka through its EventBusKafka when KAFKA_BOOTSTRAP_SERVERS is set (Python 3.12+); or pass your node's event bus`
      : '  aiokafka==0.14.0  Kafka when KAFKA_BOOTSTRAP_SERVERS is set; or pass your node\'s kafka_client',
  ];
  const init = onex
    ? ['    def __init__(self, container: ModelONEXContainer, event_bus: EventBus) -> None:',
       '        super().__init__(container)',
       '        self._initialize_metrics(event_bus=event_bus)']
    : ['    def __init__(self, container: ModelONEXContainer) -> None:',
       '        super().__init__(container)',
       '        self._initialize_metrics(kafka_client=container.kafka_client)'];
  const wiring = [
    'Wire it into the node (node.py), the mixin first:',
    `  from metrics import ${onex ? 'EventBus, ' : ''}MetricsTrackingMixin, track_metrics`,
    '',
    '  class MyNode(MetricsTrackingMixin, NodeEffect):',
    ...indent(init, '  '),
    ...(answers.trackHandlers
      ? ['', "  Every operation the contract routes to a handler is now timed at the node's route_to_handlers."]
      : [
          '',
          `      @track_metrics(${JSON.stringify(operation)})`,
          `      async def ${operation.replaceAll('.', '_')}(self, request: Request) -> Response: ...`,
        ]),
    '',
    '  On shutdown: await node.stop_metrics()   (sends what is pending)',
  ];
  return [
    ...dependencies,
    '',
    ...wiring,
    '',
    `See it work, then test it (from ${answers.targetDir}/):`,
    '  $ python -m metrics',
    `  $ python -m pip install pytest==${TESTED.pytest}`,
    '  $ python -m pytest -q metrics',
  ];
}

function typescript(answers: Answers): string[] {
  const operation = JSON.stringify(answers.operations[0]!);
  const onex = answers.envelope === 'onex';
  return [
    'Dependencies: none for the log. For Kafka (KAFKA_BOOTSTRAP_SERVERS):',
    `  npm install @platformatic/kafka@${TESTED.platformaticKafka}   (Node.js 22.22 or later; on older Node.js, @platformatic/kafka@1)`,
    '',
    'Wire it in:',
    '  import { MetricsTracker, trackMetrics } from "./metrics/index.js";',
    '',
    onex
      ? '  const metrics = new MetricsTracker({ eventBus });   // your ONEX event bus; without one, Kafka or the log'
      : '  const metrics = new MetricsTracker();   // Kafka when KAFKA_BOOTSTRAP_SERVERS is set, else the log',
    `  const handlers = metrics.wrapHandlers({ ${operation}: handler });   // or metrics.wrap(${operation}, fn)`,
    `  // or decorate a method of a class holding it as \`metrics\`: @trackMetrics(${operation})`,
    '  metrics.start();   // publishes every interval (the first call starts it too)',
    '  // on shutdown: await metrics.stop();   (sends what is pending)',
    '',
    `See it work, then test it (from ${answers.targetDir}/):`,
    `  $ npm install --no-save tsx@${TESTED.tsx} vitest@${TESTED.vitest}`,
    '  $ npx tsx metrics/demo.ts',
    '  $ npx vitest run metrics',
  ];
}

/** The next steps for these answers, as printed after a run that wrote files. */
export function nextSteps(answers: Answers): string {
  const events = [
    'The events: one line each in the log (logger metrics.events), durations in milliseconds;',
    '  ONEX_METRICS_LOG_ENVELOPES=1 shows whole envelopes. ONEX_ENVIRONMENT and ONEX_REGION tag them.',
    `  Topics: ${answers.kafkaTopic} (operations), ${answers.snapshotTopic} (snapshots).`,
  ];
  const steps = answers.language === 'python' ? python(answers) : typescript(answers);
  return ['Next steps', ...indent([...steps, '', ...events], '  ')].join('\n');
}
