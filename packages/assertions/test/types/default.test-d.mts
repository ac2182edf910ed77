// The default entry: matchers typed for whichever Vitest major is installed.
import * as api from '@quiesce/assertions';
import { checks } from './shared.mjs';

void checks(api);
