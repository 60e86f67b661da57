package io.pseudolabel.job.eval;

import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The evaluation as one self-contained HTML page (inline CSS, images as {@code data:} URIs, nothing
 * fetched): headline numbers, per-class IoU bars with precision and recall, the largest confusions and a
 * row-normalised confusion heat map, then the worst images first, each with its original (when it can be
 * read), ground truth and prediction overlaid in VOC colours, and an error map.
 */
public final class EvalReport {
    /** Longest side of a sample thumbnail, in pixels. */
    static final int THUMB = 240;
    private static final long MAX_ORIGINAL_PIXELS = 40_000_000L;
    private static final int HEATMAP_MAX_CLASSES = 40;

    private EvalReport() {}

    /** Renders {@code r} to {@code html}, reading originals through the session's Hadoop configuration. */
    public static void write(SparkSession spark, EvalResult r, Path html) throws IOException {
        write(r, html, spark.sparkContext().hadoopConfiguration());
    }

    public static void write(EvalResult r, Path html, Configuration conf) throws IOException {
        Path parent = html.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(html, render(r, conf), StandardCharsets.UTF_8);
    }

    /** The page as a string. */
    public static String render(EvalResult r, Configuration conf) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>pseudolabel evaluation: mIoU ").append(num(r.miou())).append("</title>\n<style>")
                .append(CSS).append("</style></head>\n<body>\n");
        h.append("<h1>Segmentation evaluation</h1>\n<p class=\"meta\">");
        if (r.predDescription() != null) {
            h.append("prediction: ").append(esc(r.predDescription())).append("<br>ground truth: ")
                    .append(esc(r.gtDescription())).append("<br>");
        }
        h.append("generated ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT));
        if (r.millis() > 0) {
            h.append(String.format(Locale.ROOT, " &middot; evaluation took %.1f s", r.millis() / 1000.0));
        }
        h.append("</p>\n");
        cards(h, r);
        h.append("<p class=\"rule\">").append(esc(EvalResult.MIOU_RULE)).append(": ")
                .append(r.classesCounted().size()).append(" of ").append(r.classNames().size())
                .append(" classes counted.</p>\n");
        perClass(h, r);
        confusions(h, r);
        labelQuality(h, r);
        samples(h, r, conf);
        problems(h, r);
        h.append(RENDER_CHECK).append("</body></html>\n");
        return h.toString();
    }

    private static void cards(StringBuilder h, EvalResult r) {
        h.append("<div class=\"cards\">\n");
        card(h, "mIoU", num(r.miou()), "miou");
        card(h, "pixel accuracy", num(r.pixelAccuracy()), "pixel-accuracy");
        card(h, "images scored", Long.toString(r.numImages()), "num-images");
        card(h, "classes counted", Integer.toString(r.classesCounted().size()), "classes-counted");
        card(h, "no prediction", Long.toString(r.missingPrediction()), "missing-prediction");
        card(h, "no ground truth", Long.toString(r.missingGroundTruth()), "missing-ground-truth");
        card(h, "errors", Long.toString(r.errorCount()), "error-count");
        h.append("</div>\n");
    }

    private static void card(StringBuilder h, String label, String value, String id) {
        h.append("<div class=\"card\"><div class=\"label\">").append(esc(label)).append("</div><div class=\"value\" id=\"")
                .append(id).append("\">").append(esc(value)).append("</div></div>\n");
    }

    private static void perClass(StringBuilder h, EvalResult r) {
        ConfusionMatrix m = r.matrix();
        long total = Math.max(1, m.total());
        h.append("<h2>Per-class IoU</h2>\n<table class=\"classes\"><thead><tr><th>id</th><th>class</th>")
                .append("<th class=\"barcol\">IoU</th><th>IoU</th><th>precision</th><th>recall</th>")
                .append("<th>GT pixels</th><th>predicted pixels</th></tr></thead><tbody>\n");
        for (int c : m.presentClasses()) {
            double iou = m.iou(c);
            h.append("<tr class=\"class-row\"><td>").append(c).append("</td><td>").append(swatch(c)).append(' ')
                    .append(esc(r.classNames().get(c))).append("</td><td class=\"barcol\"><div class=\"bar\"><div style=\"width:")
                    .append(String.format(Locale.ROOT, "%.2f", 100 * iou)).append("%;background:")
                    .append(barColour(iou)).append("\"></div></div></td><td class=\"n\">").append(num(iou))
                    .append("</td><td class=\"n\">").append(num(m.precision(c))).append("</td><td class=\"n\">")
                    .append(num(m.recall(c))).append("</td><td class=\"n\">")
                    .append(pct((double) m.gtPixels(c) / total)).append("</td><td class=\"n\">")
                    .append(pct((double) m.predPixels(c) / total)).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void confusions(StringBuilder h, EvalResult r) {
        List<EvalResult.Confusion> top = r.topConfusions(10);
        h.append("<h2>Confusions</h2>\n");
        if (top.isEmpty()) {
            h.append("<p>No pixel was confused.</p>\n");
        } else {
            h.append("<p>The largest off-diagonal cells: ground-truth pixels predicted as another class.</p>\n")
                    .append("<table class=\"confusions\"><thead><tr><th>ground truth</th><th>predicted as</th>")
                    .append("<th>pixels</th><th>share of the GT class</th></tr></thead><tbody>\n");
            for (EvalResult.Confusion c : top) {
                h.append("<tr><td>").append(esc(c.gt())).append("</td><td>").append(esc(c.pred()))
                        .append("</td><td class=\"n\">").append(c.pixels()).append("</td><td class=\"n\">")
                        .append(pct(c.fractionOfGt())).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
        }
        ConfusionMatrix m = r.matrix();
        List<Integer> present = m.presentClasses();
        if (present.size() < 2 || present.size() > HEATMAP_MAX_CLASSES) {
            return;
        }
        h.append("<p>Confusion matrix over the counted classes, each row normalised by its ground-truth pixels")
                .append(" (rows: ground truth, columns: prediction).</p>\n<table class=\"heat\"><tr><th></th>");
        for (int q : present) {
            h.append("<th title=\"").append(esc(r.classNames().get(q))).append("\">").append(esc(shortName(r, q)))
                    .append("</th>");
        }
        h.append("</tr>\n");
        for (int g : present) {
            long row = m.gtPixels(g);
            h.append("<tr><th>").append(esc(r.classNames().get(g))).append("</th>");
            for (int q : present) {
                double f = row == 0 ? 0 : (double) m.get(g, q) / row;
                int shade = (int) Math.round(255 - 200 * f);
                String bg = g == q ? "rgb(" + shade + ",255," + shade + ")" : "rgb(255," + shade + "," + shade + ")";
                h.append("<td style=\"background:").append(row == 0 ? "#f4f4f4" : bg).append("\">")
                        .append(row == 0 ? "" : String.format(Locale.ROOT, "%.0f", 100 * f)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** Label quality against image mIoU, when the prediction table has a quality column. */
    private static void labelQuality(StringBuilder h, EvalResult r) {
        QualityAgreement q = r.quality();
        if (q.images() == 0) {
            return;
        }
        h.append("<h2>Label quality</h2>\n<p>How well the label table's image <code>quality</code> (computed without")
                .append(" ground truth) ranks the images by their mIoU: Spearman's rho <b id=\"quality-spearman\">")
                .append(num(q.spearman())).append("</b> over ").append(q.images()).append(" images.</p>\n")
                .append("<table class=\"reliability\"><thead><tr><th>quality</th><th>images</th>")
                .append("<th>mean image mIoU</th></tr></thead><tbody>\n");
        for (QualityAgreement.Band b : q.reliability()) {
            h.append("<tr class=\"band\"><td>").append(String.format(Locale.ROOT, "%.1f \u2013 %.1f", b.from(), b.to()))
                    .append("</td><td class=\"n\">").append(b.images()).append("</td><td class=\"n\">")
                    .append(num(b.meanIou())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static String shortName(EvalResult r, int c) {
        String n = r.classNames().get(c);
        return n.length() <= 6 ? n : n.substring(0, 5) + "\u2026";
    }

    private static void samples(StringBuilder h, EvalResult r, Configuration conf) {
        List<EvalPartial.Sample> worst = r.worstImages();
        h.append("<h2>Worst images</h2>\n");
        if (worst.isEmpty()) {
            h.append("<p>No image was kept for display.</p>\n");
            return;
        }
        h.append("<p>The ").append(worst.size()).append(" images with the lowest image mIoU (over the classes")
                .append(" present in that image), worst first. Overlays use the VOC colours; the error map shows")
                .append(" wrong pixels in red and ignored pixels in dark blue.</p>\n");
        TreeSet<Integer> seen = new TreeSet<>();
        ImageDecoder decoder = new ImageDecoder(MAX_ORIGINAL_PIXELS);
        h.append("<div class=\"grid\">\n");
        for (EvalPartial.Sample s : worst) {
            ClassMap gt = s.gt();
            ClassMap pred = s.pred();
            collect(gt, seen);
            collect(pred, seen);
            String note = "";
            RgbImage original = null;
            if (s.imageUri() != null) {
                try {
                    original = decoder.decode(HadoopFiles.read(s.imageUri(), conf), s.imageUri());
                    if (original.width() != gt.width() || original.height() != gt.height()) {
                        note = "original is " + original.width() + "x" + original.height() + ", labels "
                                + gt.width() + "x" + gt.height() + "; not shown";
                        original = null;
                    }
                } catch (Exception e) {
                    note = "original not readable: " + e.getMessage();
                    original = null;
                }
            }
            h.append("<figure class=\"sample\" data-image-id=\"").append(esc(s.id())).append("\"><figcaption><b>")
                    .append(esc(s.id())).append("</b> &middot; image mIoU <span class=\"img-miou\">")
                    .append(num(s.miou())).append("</span> &middot; pixel acc. ").append(num(s.pixelAccuracy()))
                    .append("</figcaption><div class=\"row\">");
            if (original != null) {
                tile(h, "image", ReportImages.original(original), true);
            }
            tile(h, "ground truth", ReportImages.overlay(original, gt), original != null);
            tile(h, "prediction", ReportImages.overlay(original, pred), original != null);
            tile(h, "errors", ReportImages.errors(original, gt, pred), original != null);
            h.append("</div>");
            if (!note.isEmpty()) {
                h.append("<div class=\"note\">").append(esc(note)).append("</div>");
            }
            h.append("</figure>\n");
        }
        h.append("</div>\n<div class=\"legend\">");
        for (int c : seen) {
            String name = c == ClassMap.IGNORE ? "ignore (255)"
                    : c < r.classNames().size() ? r.classNames().get(c) : "id " + c;
            h.append("<span>").append(swatch(c)).append(' ').append(esc(name)).append("</span>");
        }
        h.append("</div>\n");
    }

    private static void problems(StringBuilder h, EvalResult r) {
        if (r.errorCount() == 0 && r.missingPrediction() == 0 && r.missingGroundTruth() == 0) {
            return;
        }
        h.append("<h2>Images not scored</h2>\n");
        list(h, "errors", r.errorCount(), r.errors());
        list(h, "ground truth without a prediction", r.missingPrediction(), r.missingPredictionIds());
        list(h, "predictions without ground truth", r.missingGroundTruth(), r.missingGroundTruthIds());
    }

    private static void list(StringBuilder h, String what, long count, List<String> items) {
        if (count == 0) {
            return;
        }
        h.append("<details><summary>").append(count).append(' ').append(esc(what));
        if (count > items.size()) {
            h.append(" (first ").append(items.size()).append(" listed)");
        }
        h.append("</summary><ul>");
        for (String s : items) {
            h.append("<li>").append(esc(s)).append("</li>");
        }
        h.append("</ul></details>\n");
    }

    private static void collect(ClassMap m, TreeSet<Integer> seen) {
        boolean[] has = new boolean[256];
        for (byte b : m.ids()) {
            has[b & 0xff] = true;
        }
        for (int i = 0; i < 256; i++) {
            if (has[i]) {
                seen.add(i);
            }
        }
    }

    private static void tile(StringBuilder h, String caption, BufferedImage full, boolean photo) {
        BufferedImage t = ReportImages.thumbnail(full);
        h.append("<div class=\"tile\"><img alt=\"").append(esc(caption)).append("\" width=\"").append(t.getWidth())
                .append("\" height=\"").append(t.getHeight()).append("\" src=\"")
                .append(photo ? ReportImages.dataUri(t, "jpeg") : ReportImages.dataUri(t, "png")).append("\"><div>").append(esc(caption))
                .append("</div></div>");
    }

    private static String swatch(int c) {
        int[] rgb = PalettePng.vocColor(c);
        return "<span class=\"sw\" style=\"background:rgb(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + ")\"></span>";
    }

    private static String barColour(double iou) {
        // red (0) -> amber (0.5) -> green (1)
        int hue = (int) Math.round(120 * Math.max(0, Math.min(1, iou)));
        return "hsl(" + hue + ",65%,45%)";
    }

    public static String num(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }

    private static String pct(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * d);
    }

    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#1d2330;background:#fff}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e3e6ec;padding-bottom:4px}
            .meta{color:#5b6475;font-size:12px;margin:0 0 14px}.rule{color:#5b6475;font-size:12px}
            .cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #e3e6ec;border-radius:8px;padding:10px 14px;min-width:110px;background:#f8f9fb}
            .card .label{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#5b6475}.card .value{font-size:22px;font-weight:600}
            table{border-collapse:collapse}th,td{padding:3px 8px;text-align:left}thead th{font-size:12px;color:#5b6475;border-bottom:1px solid #e3e6ec}
            td.n{text-align:right;font-variant-numeric:tabular-nums}.barcol{width:320px}
            .bar{background:#eef0f4;border-radius:3px;height:14px;width:300px;overflow:hidden}.bar>div{height:14px}
            .sw{display:inline-block;width:12px;height:12px;border:1px solid #0003;vertical-align:-1px;border-radius:2px}
            .heat td{width:34px;text-align:center;font-size:11px;border:1px solid #fff}.heat th{font-size:11px;font-weight:500}
            .grid{display:flex;flex-direction:column;gap:14px}.sample{margin:0;border:1px solid #e3e6ec;border-radius:8px;padding:8px}
            .sample figcaption{margin-bottom:6px}.row{display:flex;flex-wrap:wrap;gap:8px}.tile{text-align:center;font-size:11px;color:#5b6475}
            .tile img{display:block;image-rendering:auto;border-radius:3px}.note{font-size:11px;color:#a04b00}
            .legend{display:flex;flex-wrap:wrap;gap:12px;margin-top:10px;font-size:12px}
            details{margin:6px 0}summary{cursor:pointer}
            #render-check{display:none}
            """;

    /**
     * A marker that the page's images decoded, for automated checks (headless Chromium dumps the DOM after
     * load); invisible to readers. The review gallery carries it too.
     */
    public static final String RENDER_CHECK = """
            <div id="render-check"></div>
            <script>
            window.addEventListener('load', function () {
              var ok = 0, imgs = document.images;
              for (var i = 0; i < imgs.length; i++) { if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++; }
              document.getElementById('render-check').setAttribute('data-decoded', ok + '/' + imgs.length);
            });
            </script>
            """;
}
