/** omnicache/aws-kms: data keys for envelope encryption from AWS KMS. Needs `@aws-sdk/client-kms` installed. */
export {
  AwsKmsKeyProvider,
  type AwsKmsKeyProviderOptions,
  awsKmsKeyProvider,
} from './security/encryption/aws-kms/aws-kms-provider.js';
