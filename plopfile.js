// plop 4 finds plopfile.js before plopfile.ts, and cannot import TypeScript on Node 20
// by itself: register tsx's loader, then load the real plopfile.ts.
import { register } from 'tsx/esm/api';

register();
const { default: plopfile } = await import('./plopfile.ts');
export default plopfile;
