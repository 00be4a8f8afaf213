package io.pbx3sbc.routingdb.store;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link ObjectStore} over the AWS SDK v2 sync client (URLConnection transport, no Netty). */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
    private final S3Client client;
    private final S3Location location;

    public S3ObjectStore(S3Location location) {
        this.location = location;
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(location.region()))
                .forcePathStyle(location.pathStyle())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(location.accessKeyId(), location.secretAccessKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(20)))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(30)));
        if (location.endpoint() != null) {
            builder.endpointOverride(location.endpoint());
        }
        this.client = builder.build();
    }

    public S3Location location() {
        return location;
    }

    private String key(String key) {
        return location.prefix() + key;
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws ObjectStoreException {
        try {
            client.putObject(b -> b.bucket(location.bucket()).key(key(key)).contentType(contentType),
                    RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("put", key, e);
        }
    }

    @Override
    public String putIfMatch(String key, byte[] bytes, String contentType, String ifMatch) throws ObjectStoreException {
        try {
            return client.putObject(b -> {
                b.bucket(location.bucket()).key(key(key)).contentType(contentType);
                if (ifMatch == null) {
                    b.ifNoneMatch("*");
                } else {
                    b.ifMatch(ifMatch);
                }
            }, RequestBody.fromBytes(bytes)).eTag();
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                throw new PreconditionFailed("S3 put " + key + " on " + location + " refused: the object changed since it"
                        + " was read (another writer?)", e);
            }
            throw failure("put", key, e);
        } catch (SdkException e) {
            throw failure("put", key, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) throws ObjectStoreException {
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(location.bucket()).key(key(key))).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("get", key, e);
        }
    }

    @Override
    public Optional<Fetched> getIfChanged(String key, String etag) throws ObjectStoreException {
        try {
            ResponseBytes<GetObjectResponse> r = client.getObjectAsBytes(b -> {
                b.bucket(location.bucket()).key(key(key));
                if (etag != null) {
                    b.ifNoneMatch(etag);
                }
            });
            return Optional.of(new Fetched(r.asByteArray(), r.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 304) {
                return Optional.of(new Fetched(null, etag));
            }
            throw failure("get", key, e);
        } catch (SdkException e) {
            throw failure("get", key, e);
        }
    }

    @Override
    public List<String> list(String prefix) throws ObjectStoreException {
        return new ArrayList<>(listWithEtags(prefix).keySet());
    }

    @Override
    public java.util.SortedMap<String, String> listWithEtags(String prefix) throws ObjectStoreException {
        java.util.SortedMap<String, String> keys = new java.util.TreeMap<>();
        try {
            var pages = client.listObjectsV2Paginator(ListObjectsV2Request.builder()
                    .bucket(location.bucket()).prefix(key(prefix)).build());
            for (var page : pages) {
                for (S3Object o : page.contents()) {
                    keys.put(o.key().substring(location.prefix().length()), o.eTag());
                }
            }
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
        return keys;
    }

    @Override
    public void delete(String key) throws ObjectStoreException {
        try {
            client.deleteObject(b -> b.bucket(location.bucket()).key(key(key)));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    /** Creates the bucket if it does not exist (local setups and tests; production buckets are provisioned). */
    public void ensureBucket() throws ObjectStoreException {
        try {
            client.headBucket(b -> b.bucket(location.bucket()));
        } catch (NoSuchKeyException | software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            client.createBucket(b -> b.bucket(location.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                client.createBucket(b -> b.bucket(location.bucket()));
            } else {
                throw failure("head bucket", "", e);
            }
        } catch (SdkException e) {
            throw failure("head bucket", "", e);
        }
    }

    private ObjectStoreException failure(String op, String key, SdkException e) {
        String why;
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            why = switch (s3.statusCode()) {
                case 401, 403 -> "access denied (" + code + "): check the access key and secret";
                case 404 -> "not found (" + code + "): check the bucket name";
                default -> "HTTP " + s3.statusCode() + " " + code;
            };
        } else if (e instanceof SdkClientException) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            why = "unreachable: " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        } else {
            why = e.getMessage();
        }
        return new ObjectStoreException("S3 " + op + " " + key + " on " + location + " failed: " + why, e);
    }

    @Override
    public void close() {
        client.close();
    }
}
