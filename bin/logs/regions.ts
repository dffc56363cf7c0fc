/**
 * Where Lambda@Edge may write its logs: "CloudWatch Logs log streams in the AWS Regions
 * closest to the location where the function is executed"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html),
 * that is the regions of CloudFront's regional edge caches. The default scan covers the regions
 * every account has enabled; opt-in regions (ap-east-1, me-south-1, af-south-1, eu-south-1, ...)
 * can be named with --regions, and a region not enabled for the account is skipped with a note.
 * Not confirmed in AWS's pages: a current, complete list of regional edge cache regions (CloudFront
 * publishes the locations, not their log regions); hence the --regions escape hatch.
 */
export const EDGE_LOG_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
];

/** Regions --regions accepts: the default ones and the opt-in commercial regions. */
export const KNOWN_REGIONS: readonly string[] = [
  ...EDGE_LOG_REGIONS,
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
];
