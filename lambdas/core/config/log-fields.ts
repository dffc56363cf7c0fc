/**
 * The `log` section: which request events the viewer-request function writes
 * (docs/request-events.md#which-requests-are-logged). Decisions other than a plain
 * signed-in forward are always written, whatever the setting.
 */
import { z } from 'zod';
import { REQUEST_LOG_DEFAULTS, REQUEST_LOG_MODES } from '../request-log-policy';

export const log = z
  .strictObject({
    requests: z
      .enum(REQUEST_LOG_MODES, { error: `must be one of ${REQUEST_LOG_MODES.map((m) => `"${m}"`).join(', ')}` })
      .default(REQUEST_LOG_DEFAULTS.requests),
    plainForwardSampleRate: z
      .number({ error: 'must be a number between 0 and 1 (e.g. 0.01: one plain forward in a hundred)' })
      .gt(0, 'must be more than 0 (to write no plain forward, use "requests": "except-plain-forwards")')
      .max(1, 'must be at most 1 (every plain forward)')
      .default(REQUEST_LOG_DEFAULTS.plainForwardSampleRate),
  })
  .prefault({});
