package dev.dialtone.flowtest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The report for CI: JUnit XML (the format Jenkins, GitLab and GitHub's test reporters read), one
 * testsuite per test file and one testcase per case, a failure carrying the failed expectations as
 * its message and the transcript as its text. Written by the JDK's XML writer, so every text is
 * escaped.
 */
public final class JUnitReport {
    private JUnitReport() {
    }

    public static void write(List<FileResult> files, Path target) throws IOException {
        try (var out = Files.newOutputStream(target)) {
            write(files, out);
        } catch (XMLStreamException e) {
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    static void write(List<FileResult> files, OutputStream out) throws XMLStreamException {
        var xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
        xml.writeStartDocument("UTF-8", "1.0");
        xml.writeCharacters("\n");
        xml.writeStartElement("testsuites");
        xml.writeAttribute("name", "flow tests");
        xml.writeAttribute("tests", String.valueOf(files.stream().mapToLong(f -> f.cases().size() + (f.problems().isEmpty() ? 0 : 1)).sum()));
        xml.writeAttribute("failures", String.valueOf(files.stream().mapToLong(FileResult::failed).sum()));
        xml.writeAttribute("errors", String.valueOf(files.stream().filter(f -> !f.problems().isEmpty()).count()));
        for (var file : files) {
            suite(xml, file);
        }
        xml.writeEndElement();
        xml.writeCharacters("\n");
        xml.writeEndDocument();
        xml.close();
    }

    private static void suite(XMLStreamWriter xml, FileResult file) throws XMLStreamException {
        xml.writeCharacters("\n  ");
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", file.flow());
        xml.writeAttribute("file", file.file().toString());
        xml.writeAttribute("tests", String.valueOf(file.cases().size() + (file.problems().isEmpty() ? 0 : 1)));
        xml.writeAttribute("failures", String.valueOf(file.failed()));
        xml.writeAttribute("errors", file.problems().isEmpty() ? "0" : "1");
        xml.writeAttribute("skipped", "0");
        xml.writeAttribute("time", seconds(file.cases().stream().mapToLong(c -> c.took().toMillis()).sum()));
        if (!file.problems().isEmpty()) {
            // a file that could not run is one errored test, so CI shows it even with no case run
            xml.writeCharacters("\n    ");
            xml.writeStartElement("testcase");
            xml.writeAttribute("classname", "flows." + file.flow());
            xml.writeAttribute("name", "(the test file)");
            xml.writeAttribute("file", file.file().toString());
            xml.writeStartElement("error");
            xml.writeAttribute("message", clean(file.problems().getFirst()));
            xml.writeCharacters(clean(String.join("\n", file.problems())));
            xml.writeEndElement();
            xml.writeEndElement();
        }
        for (var c : file.cases()) {
            xml.writeCharacters("\n    ");
            xml.writeStartElement("testcase");
            xml.writeAttribute("classname", "flows." + file.flow());
            xml.writeAttribute("name", clean(c.name()));
            xml.writeAttribute("file", c.file().toString());
            xml.writeAttribute("line", String.valueOf(c.line()));
            xml.writeAttribute("time", seconds(c.took().toMillis()));
            if (!c.passed()) {
                xml.writeStartElement("failure");
                xml.writeAttribute("message", clean(String.join("; ", c.failureLines())));
                xml.writeAttribute("type", "flow test");
                xml.writeCharacters(clean(String.join("\n", c.failureLines()) + "\n\ntranscript:\n" + c.transcript()));
                xml.writeEndElement();
            }
            xml.writeEndElement();
        }
        xml.writeCharacters("\n  ");
        xml.writeEndElement();
    }

    /** The text with what XML 1.0 cannot hold (control characters an LLM or a plugin may produce) as U+FFFD. */
    static String clean(String text) {
        var out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF
                || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 ? c : 0xFFFD));
        return out.toString();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }
}
