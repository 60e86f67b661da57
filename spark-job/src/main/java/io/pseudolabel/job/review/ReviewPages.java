package io.pseudolabel.job.review;

import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.eval.EvalReport;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.pseudolabel.job.eval.EvalReport.esc;
import static io.pseudolabel.job.eval.EvalReport.num;

/**
 * The gallery's pages: {@code index.html} is the first page of the worst images (worst first), then
 * {@code worst-002.html}, ..., {@code sample-001.html}, ..., {@code changed-001.html}, ..., each with at most
 * {@code pageSize} tiles and a bar linking every page. Tiles are inline data URIs with the boxes, class names and
 * qualities drawn over them as SVG, so a page is one self-contained file.
 */
final class ReviewPages {
    private ReviewPages() {}

    private record Section(String key, String title, String intro, List<ReviewJob.Tile> tiles) {}

    private record Page(String file, Section section, int number, List<ReviewJob.Tile> tiles) {}

    static List<String> write(ReviewJob.Options o, String labelsDir, List<ReviewJob.Tile> worst,
            List<ReviewJob.Tile> sample, List<ReviewJob.Tile> changed, Configuration conf) throws IOException {
        String filter = o.className() == null ? "" : " with class " + o.className();
        List<Section> sections = List.of(
                new Section("worst", "Worst images", "The images" + filter + " with the lowest label quality, "
                        + "worst first.", worst),
                new Section("sample", "Random sample", "Images" + filter + " drawn at random (seed " + o.seed()
                        + "), for the typical case; by image id.", sample),
                new Section("changed", "Changed since " + (o.compare() == null ? "" : o.compare()), "The images"
                        + filter + " whose label maps agree least with the compared run (share of pixels with the "
                        + "same class), this run on the left, the compared run on the right.", changed));
        List<Page> pages = new ArrayList<>();
        for (Section s : sections) {
            int n = s.tiles().size();
            for (int from = 0, k = 1; from < n; from += o.pageSize(), k++) {
                String file = pages.isEmpty() ? "index.html" : String.format(Locale.ROOT, "%s-%03d.html", s.key(), k);
                pages.add(new Page(file, s, k, s.tiles().subList(from, Math.min(n, from + o.pageSize()))));
            }
        }
        if (pages.isEmpty()) {
            pages.add(new Page("index.html", sections.get(0), 1, List.of()));
        }
        List<String> written = new ArrayList<>();
        for (Page p : pages) {
            String uri = ReviewJob.page(o, p.file());
            HadoopFiles.write(uri, render(p, pages, labelsDir).getBytes(StandardCharsets.UTF_8), conf);
            written.add(uri);
        }
        return written;
    }

    private static String render(Page p, List<Page> all, String labelsDir) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>review: ")
                .append(esc(p.section().title())).append("</title><style>").append(CSS).append("</style></head><body>\n")
                .append("<h1>Label review</h1>\n<p class=\"meta\">labels: ").append(esc(labelsDir)).append("</p>\n")
                .append("<nav>");
        for (Page q : all) {
            String label = q.section().key() + " " + q.number();
            if (q == p) {
                h.append("<b>").append(esc(label)).append("</b> ");
            } else {
                h.append("<a href=\"").append(esc(q.file())).append("\">").append(esc(label)).append("</a> ");
            }
        }
        h.append("</nav>\n<h2>").append(esc(p.section().title())).append(" (page ").append(p.number()).append(")</h2>\n")
                .append("<p>").append(esc(p.section().intro())).append(" Overlays use the VOC colours; each box is")
                .append(" labelled with its class and instance quality.</p>\n<div class=\"grid\">\n");
        if (p.tiles().isEmpty()) {
            h.append("<p>No image to show.</p>\n");
        }
        for (ReviewJob.Tile t : p.tiles()) {
            h.append("<figure class=\"tile\" data-image-id=\"").append(esc(t.id())).append("\" data-quality=\"")
                    .append(num(t.quality())).append("\"><figcaption><b>").append(esc(t.id()))
                    .append("</b> &middot; quality <span class=\"q\">").append(num(t.quality())).append("</span>");
            if (!Double.isNaN(t.agreement())) {
                h.append(" &middot; agreement ").append(String.format(Locale.ROOT, "%.1f%%", 100 * t.agreement()));
            }
            h.append("</figcaption><div class=\"row\">");
            picture(h, t, t.dataUri(), true);
            if (t.otherDataUri() != null) {
                picture(h, t, t.otherDataUri(), false);
            }
            h.append("</div><ul class=\"inst\">");
            for (ReviewJob.Inst i : t.instances()) {
                h.append("<li>").append(esc(i.name())).append(' ')
                        .append(i.quality() == null ? "&ndash;" : num(i.quality())).append("</li>");
            }
            h.append("</ul>");
            if (t.note() != null) {
                h.append("<div class=\"note\">").append(esc(t.note())).append("</div>");
            }
            h.append("<div class=\"uri\">").append(esc(t.uri())).append("</div></figure>\n");
        }
        h.append("</div>\n").append(EvalReport.RENDER_CHECK).append("</body></html>\n");
        return h.toString();
    }

    /** The overlay thumbnail with this run's boxes, classes and qualities drawn over it as SVG. */
    private static void picture(StringBuilder h, ReviewJob.Tile t, String data, boolean boxes) {
        double s = Math.min(1.0, (double) ReviewJob.THUMB / Math.max(1, Math.max(t.width(), t.height())));
        long tw = Math.max(1, Math.round(t.width() * s));
        long th = Math.max(1, Math.round(t.height() * s));
        h.append("<div class=\"pic\" style=\"width:").append(tw).append("px;height:").append(th).append("px\">");
        if (data != null) {
            h.append("<img alt=\"labels of ").append(esc(t.id())).append("\" width=\"").append(tw).append("\" height=\"")
                    .append(th).append("\" src=\"").append(data).append("\">");
        }
        if (boxes) {
            h.append("<svg viewBox=\"0 0 ").append(t.width()).append(' ').append(t.height())
                    .append("\" preserveAspectRatio=\"none\">");
            double fs = Math.max(8, 11 / s);
            for (ReviewJob.Inst i : t.instances()) {
                float[] b = i.box();
                String colour = i.quality() == null || i.quality() >= 0.7 ? "#ffffff" : i.quality() >= 0.4 ? "#ffd400"
                        : "#ff3030";
                h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"/>", b[0], b[1], b[2] - b[0], b[3] - b[1],
                        colour, 2 / s));
                h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"%s\" "
                        + "stroke=\"#000\" stroke-width=\"%.2f\" paint-order=\"stroke\">", b[0] + 2 / s,
                        b[1] + fs, fs, colour, 2.5 / s)).append(esc(i.name())).append(' ')
                        .append(i.quality() == null ? "" : num(i.quality())).append("</text>");
            }
            h.append("</svg>");
        }
        h.append("</div>");
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#1d2330;background:#fff}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:20px 0 8px}.meta{color:#5b6475;font-size:12px}
            nav{font-size:13px;display:flex;flex-wrap:wrap;gap:8px}
            .grid{display:flex;flex-wrap:wrap;gap:12px}.tile{margin:0;border:1px solid #e3e6ec;border-radius:8px;padding:8px;max-width:500px}
            .tile figcaption{font-size:12px;margin-bottom:6px}.row{display:flex;gap:8px}
            .pic{position:relative;background:#6e6e6e;border-radius:3px;overflow:hidden}.pic img,.pic svg{position:absolute;left:0;top:0;width:100%;height:100%}
            .inst{margin:4px 0 0;padding-left:16px;font-size:12px}.note{font-size:11px;color:#a04b00}.uri{font-size:10px;color:#8a93a5;word-break:break-all}
            #render-check{display:none}
            """;
}
