//! Pictures for the demo office: a phone photo of a service hall (generated, different for each
//! seed) and a drawn signature, as a supervisor's phone would send them.

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A 960×720 JPEG of a service hall: wall, floor, a counter with its windows, a doorway and a
/// board on the wall, coloured and placed by `seed`.
pub fn hall_photo(seed: u32) -> Vec<u8> {
    let (w, h) = (960u32, 720u32);
    let wall = [
        [222, 216, 204],
        [206, 214, 222],
        [228, 222, 210],
        [214, 222, 214],
    ][seed as usize % 4];
    let mut picture = RgbImage::from_fn(w, h, |x, y| {
        if y < h * 3 / 5 {
            let shade = (y * 18 / h) as u8;
            Rgb([wall[0] - shade, wall[1] - shade, wall[2] - shade])
        } else {
            // floor tiles
            let tile = ((x / 80) + (y / 40)) % 2 == 0;
            let base = if tile { 168 } else { 152 };
            Rgb([base, base - 6, base - 14])
        }
    });
    let fill = |picture: &mut RgbImage, (x0, y0, x1, y1): (u32, u32, u32, u32), colour: [u8; 3]| {
        for y in y0..y1.min(h) {
            for x in x0..x1.min(w) {
                picture.put_pixel(x, y, Rgb(colour));
            }
        }
    };
    // the counter and its windows
    let counter_top = h * 3 / 5 - 30;
    fill(
        &mut picture,
        (60, counter_top, w - 60, counter_top + 150),
        [120, 84, 60],
    );
    let windows = 3 + seed % 3;
    let span = (w - 160) / windows;
    for k in 0..windows {
        let x = 80 + k * span;
        fill(
            &mut picture,
            (x, counter_top - 140, x + span - 30, counter_top - 10),
            [170, 196, 212],
        );
        // a number above each window
        fill(
            &mut picture,
            (
                x + span / 2 - 30,
                counter_top - 180,
                x + span / 2,
                counter_top - 150,
            ),
            [200, 30, 40],
        );
    }
    // a doorway and a board on the wall
    let door = 40 + (seed * 97) % (w - 220);
    fill(&mut picture, (door, 60, door + 140, 150), [60, 64, 70]);
    fill(&mut picture, (w - 260, 40, w - 80, 150), [250, 250, 244]);
    for line in 0..4 {
        let y = 60 + line * 22;
        fill(
            &mut picture,
            (w - 240, y, w - 100 - (line * 17 + seed) % 50, y + 8),
            [90, 90, 96],
        );
    }
    let mut out = std::io::Cursor::new(Vec::new());
    match picture.write_to(&mut out, ImageFormat::Jpeg) {
        Ok(()) => out.into_inner(),
        Err(_) => Vec::new(),
    }
}

/// A drawn signature as the sign-off's pad sends it: a `data:image/png;base64,` URL.
pub fn signature(seed: u32) -> String {
    use base64::Engine;
    let (w, h) = (600u32, 200u32);
    let mut pad = RgbaImage::new(w, h);
    let mut pen = |x: f32, y: f32| {
        for dx in -2i32..=2 {
            for dy in -2i32..=2 {
                let (px, py) = (x as i32 + dx, y as i32 + dy);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    pad.put_pixel(px as u32, py as u32, Rgba([17, 17, 17, 255]));
                }
            }
        }
    };
    let waves = 2.0 + (seed % 3) as f32;
    for step in 0..1200 {
        let t = step as f32 / 1200.0;
        let x = 40.0 + t * 520.0;
        let y = 100.0
            + (t * std::f32::consts::PI * 2.0 * waves).sin() * 45.0 * (1.0 - t * 0.5)
            + (t * 23.0).sin() * 8.0;
        pen(x, y);
    }
    let mut png = std::io::Cursor::new(Vec::new());
    if pad.write_to(&mut png, ImageFormat::Png).is_err() {
        return String::new();
    }
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    )
}
