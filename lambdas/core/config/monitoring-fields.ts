/**
 * `monitoring`: the CloudWatch dashboard and alarms the CDK constructs add (lib/monitoring.ts,
 * docs/operations.md), and where the alarms send their notifications.
 */
import { z } from 'zod';
import { email } from './access-fields';

const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');

export const monitoring = z
  .strictObject({
    /** Add the dashboard. @default true */
    dashboard: z.boolean().default(true),
    /** Add the alarms. @default true */
    alarms: z.boolean().default(true),
    /** An e-mail address subscribed to a new SNS topic the alarms notify (confirm the subscription mail). */
    alarmEmail: email.optional(),
    /** An existing SNS topic in us-east-1 the alarms notify. */
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:us-east-1:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be the ARN of an SNS topic in us-east-1, where the alarms live')
      .optional(),
    /** Regions whose edge-function panels the dashboard shows. @default - us-east-1, aws.region and aws.replicaRegions */
    regions: z.array(region).optional(),
    /** Sign-in refusals in 15 minutes that raise the refusals alarm. @default 20 */
    refusalThreshold: z.number().int().min(1).default(20),
  })
  .prefault({});
