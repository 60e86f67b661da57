package io.pseudolabel.job;

import org.apache.hadoop.conf.Configuration;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An S3-compatible server on 127.0.0.1 for tests: s3proxy in this JVM over jclouds' in-memory blob store.
 * Objects are seeded straight into the store (not through S3A), so what the job reads was put there
 * independently of the code under test.
 */
public final class S3TestServer implements AutoCloseable {
    /** Test-only credentials, handed to S3A through the Hadoop configuration of the test session. */
    static final String ACCESS_KEY = "pseudolabel-test";
    static final String SECRET_KEY = "pseudolabel-test-secret";

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private S3TestServer(BlobStoreContext context, S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
    }

    public static S3TestServer start() throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
        return new S3TestServer(context, proxy);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public BlobStore store() {
        return context.getBlobStore();
    }

    public void createBucket(String bucket) {
        store().createContainerInLocation(null, bucket);
    }

    /**
     * The S3A settings an S3-compatible store needs, scoped to one bucket ({@code fs.s3a.bucket.B.*}) so
     * nothing else in the session changes: endpoint, path-style access, plain HTTP, a region for the
     * signer, and the test credentials through the simple provider.
     */
    public Map<String, String> s3aSettings(String bucket) {
        Map<String, String> m = new LinkedHashMap<>();
        String p = "fs.s3a.bucket." + bucket + ".";
        m.put(p + "endpoint", endpoint());
        m.put(p + "endpoint.region", "us-east-1");
        m.put(p + "path.style.access", "true");
        m.put(p + "connection.ssl.enabled", "false");
        m.put(p + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put(p + "access.key", ACCESS_KEY);
        m.put(p + "secret.key", SECRET_KEY);
        m.put(p + "attempts.maximum", "2");
        m.put(p + "retry.limit", "2");
        return m;
    }

    public void applyTo(Configuration conf, String bucket) {
        s3aSettings(bucket).forEach(conf::set);
    }

    /** Puts every file under {@code dir} into {@code bucket} under {@code prefix}/relative path. */
    public int upload(Path dir, String bucket, String prefix) throws IOException {
        int n = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                put(bucket, prefix + "/" + dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                n++;
            }
        }
        return n;
    }

    public void put(String bucket, String key, byte[] bytes) {
        store().putBlob(bucket, store().blobBuilder(key).payload(bytes).contentLength(bytes.length).build());
    }

    public byte[] get(String bucket, String key) throws IOException {
        var blob = store().getBlob(bucket, key);
        if (blob == null) {
            throw new IOException("no object s3://" + bucket + "/" + key);
        }
        try (var in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
