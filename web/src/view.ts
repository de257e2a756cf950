// What every view is: something to load (signed calls) and a way to draw what was loaded.
import type { ColoniesClient } from '../../src/client/index.js';
import type { Child } from './dom.js';

export interface Ctx {
  client: ColoniesClient;
  colony: string;
}

export interface View<T = any> {
  /** document title */
  title: string;
  load(): Promise<T>;
  /** starts with the view's h2 (focused on navigation) */
  render(data: T): Child;
}
