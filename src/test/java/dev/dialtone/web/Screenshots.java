package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Screenshots of the console, saved as PNG under {@code target/screenshots} and checked: a real
 * PNG of the expected size that is not blank (many colours, no single colour covering nearly all).
 */
final class Screenshots {
    static final Path DIR = Path.of("target", "screenshots");

    private final ChromeDriver driver;

    Screenshots(ChromeDriver driver) {
        this.driver = driver;
    }

    /** The whole viewport; asserts it is the viewport's size and not blank. */
    BufferedImage page(String name) {
        var image = save(name, driver.getScreenshotAs(OutputType.BYTES));
        var viewport = (Map<?, ?>) driver.executeScript(
                "return {w: Math.round(innerWidth * devicePixelRatio), h: Math.round(innerHeight * devicePixelRatio)};");
        assertThat(image.getWidth()).as(name + " width").isEqualTo(((Number) viewport.get("w")).intValue());
        assertThat(image.getHeight()).as(name + " height").isEqualTo(((Number) viewport.get("h")).intValue());
        assertNotBlank(name, image);
        return image;
    }

    /** One element, e.g. the latency chart. */
    BufferedImage element(String name, WebElement element) {
        var image = save(name, ((TakesScreenshot) element).getScreenshotAs(OutputType.BYTES));
        assertThat(image.getWidth()).as(name + " width").isEqualTo(element.getRect().getWidth());
        assertThat(image.getHeight()).as(name + " height").isEqualTo(element.getRect().getHeight());
        assertNotBlank(name, image);
        return image;
    }

    /** How many pixels are within a small distance of {@code rgb} (0xRRGGBB). */
    static int pixelsNear(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                int db = (p & 0xff) - (rgb & 0xff);
                if (Math.abs(dr) + Math.abs(dg) + Math.abs(db) <= 12) {
                    count++;
                }
            }
        }
        return count;
    }

    private static BufferedImage save(String name, byte[] png) {
        assertThat(png).as(name + " is a PNG").startsWith(0x89, 'P', 'N', 'G');
        try {
            Files.createDirectories(DIR);
            Files.write(DIR.resolve(name + ".png"), png);
            var image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image).as(name + " decodes").isNotNull();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertNotBlank(String name, BufferedImage image) {
        var colours = new HashMap<Integer, Integer>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.merge(image.getRGB(x, y), 1, Integer::sum);
            }
        }
        int samples = ((image.getWidth() + 1) / 2) * ((image.getHeight() + 1) / 2);
        int commonest = colours.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertThat(colours.size()).as(name + ": distinct colours").isGreaterThan(20);
        assertThat(commonest).as(name + ": the commonest colour must not cover the whole image").isLessThan(samples * 99 / 100);
    }
}
