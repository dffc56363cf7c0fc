/**
 * `@aws-sdk/client-cloudfront`, when it is installed. Tests that need the real client use
 * `describeWithCloudFrontSdk`: without the package they are skipped with a message saying so
 * (never silently passed).
 */
export const cloudFrontSdkAvailable: boolean = (() => {
  try {
    require.resolve('@aws-sdk/client-cloudfront');
    return true;
  } catch {
    return false;
  }
})();

export const describeWithCloudFrontSdk: jest.Describe = cloudFrontSdkAvailable ? describe : describe.skip;

if (!cloudFrontSdkAvailable) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED: @aws-sdk/client-cloudfront is not installed (npm install), so the tests through the real CloudFront client did not run.');
}
