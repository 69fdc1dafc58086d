/** Versions of the packages the generated code is tested with, as the next steps name them. */
export const TESTED = {
  psutil: '7.2.2',
  typesPsutil: '7.2.2.20261111',
  omnibaseInfra: '0.38.76',
  pytest: '9.2.0',
  platformaticKafka: '2.12.1',
  tsx: '4.23.15',
  vitest: '5.1.2',
} as const;
