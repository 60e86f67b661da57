package io.pseudolabel.job.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --only s3} at a small N against s3proxy on loopback: every listing and read row is there, every
 * object was listed and read back byte for byte (the scenario refuses a short count), and S3A's own request
 * counters show the listing paged and each read's requests. No time is checked.
 */
class S3ScenarioTest {
    private static final int N = 300;

    @Test
    void s3RowsAreEmittedWithTheirCounts(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"bench", "--images", String.valueOf(N), "--only", "s3", "--repeats", "1",
            "--output", dir.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out + err.toString(StandardCharsets.UTF_8));
        List<String> expected = new ArrayList<>();
        for (S3Scenario.Variant v : S3Scenario.listingVariants()) {
            expected.add("list " + N + " objects (driver, label's folder listing), " + v.name());
        }
        List<S3Scenario.Variant> reads = S3Scenario.readVariants(Map.of());
        expected.add(S3Scenario.fullRead(N, reads.get(0).name()));
        expected.add(S3Scenario.fullRead(N, reads.get(reads.size() - 1).name()));
        expected.add("read MB/s, S3A defaults");
        expected.add("read MB/s, tuned (deploy/s3a.conf)");
        int k = S3Scenario.sampleSize(N);
        for (S3Scenario.Variant v : reads) {
            expected.add(S3Scenario.sampleRead(k, v.name()).strip());
        }
        expected.add(S3Scenario.sampleRead(k, S3Scenario.KNOWN_LENGTH).strip());
        JsonArray rows = JsonParser.parseString(Files.readString(dir.resolve("bench.json"))).getAsJsonObject()
                .getAsJsonArray("rows");
        assertEquals(expected.size(), rows.size(), rows.toString());
        for (int i = 0; i < rows.size(); i++) {
            JsonObject r = rows.get(i).getAsJsonObject();
            assertEquals("s3", r.get("scenario").getAsString());
            assertEquals(expected.get(i), r.get("metric").getAsString());
            assertTrue(r.get("value").getAsDouble() > 0, r.toString());
            assertTrue(out.contains(expected.get(i)), out);
        }
        // listing: at most 1000 keys a page whatever is asked (S3's cap, and s3proxy's), 250 when asked for 250;
        // plus the two probes of the root
        assertTrue(note(rows, 0).contains((pages(N, 1000) + S3Scenario.ROOT_PROBES) + " LIST requests"), out);
        assertTrue(note(rows, 1).contains((pages(N, 1000) + S3Scenario.ROOT_PROBES) + " LIST requests"), out);
        assertTrue(note(rows, 2).contains((pages(N, 250) + S3Scenario.ROOT_PROBES) + " LIST requests"), out);
        // reading as label does: every object once, one GET each (prefetching reads more), two HEADs each
        for (int i = 3; i < rows.size() - 1; i++) {
            if (i == 5 || i == 6 || expected.get(i).contains("prefetch")) {
                continue;
            }
            int objects = i < 5 ? N : k;
            assertTrue(note(rows, i).contains(objects + " GET"), note(rows, i));
            assertTrue(note(rows, i).contains((2 * objects) + " HEAD"), note(rows, i));
        }
        // with the listed length, no HEAD at all
        assertTrue(note(rows, rows.size() - 1).contains("0 HEAD, " + k + " GET"), note(rows, rows.size() - 1));
    }

    private static int pages(int n, int page) {
        return (n + page - 1) / page;
    }

    private static String note(JsonArray rows, int i) {
        JsonElement e = rows.get(i);
        return e.getAsJsonObject().get("note").getAsString();
    }
}
