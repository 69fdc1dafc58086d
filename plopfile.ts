/** This repository's plopfile: the pack itself, straight from source. */
export { default } from './src/index.js';
