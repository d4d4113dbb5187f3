// demo_instruct: 40 open-ended instructions in five families (packing lists, emails, tips,
// explanations, product descriptions), each with a reference answer of 400+ characters, scored 1
// to 10 by a fictional rubric. One explanation is about cross-site scripting, so outputs carry
// HTML and script tags the site must show as text.
import type { Rng } from "./prng.ts";
import type { DemoAnswer, DemoItem, DemoTask } from "./types.ts";

interface Content {
  instruction: string;
  /** A good answer: intro, body parts (list items or sentences), closing. */
  intro: string;
  parts: string[];
  list: boolean;
  closing: string;
  /** A vague, weaker answer of moderate length. */
  vague: string;
  /** A one-line answer. */
  terse: string;
}

const TRIPS: [string, string[]][] = [
  [
    "weekend hiking trip",
    [
      "sturdy walking boots",
      "a waterproof jacket",
      "two litres of water",
      "trail snacks",
      "a map and compass",
      "a small first-aid kit",
      "sunscreen",
      "a warm fleece",
      "a head torch",
    ],
  ],
  [
    "beach holiday",
    [
      "swimwear",
      "sunscreen",
      "a sun hat",
      "sunglasses",
      "a beach towel",
      "a refillable water bottle",
      "sandals",
      "a light long-sleeved shirt",
      "a paperback",
    ],
  ],
  [
    "business trip",
    [
      "a smart outfit for each meeting day",
      "a laptop and its charger",
      "printed presentation notes",
      "business cards",
      "a phone charger",
      "comfortable shoes",
      "toiletries",
      "a travel adapter",
    ],
  ],
  [
    "winter city break",
    [
      "a warm coat",
      "gloves",
      "a scarf",
      "thermal layers",
      "waterproof boots",
      "a compact umbrella",
      "lip balm",
      "a power bank",
    ],
  ],
  [
    "camping trip",
    [
      "a tent",
      "a sleeping bag",
      "a sleeping mat",
      "a stove and fuel",
      "a cooking pot",
      "a head torch",
      "a water filter",
      "matches in a dry bag",
      "rubbish bags",
    ],
  ],
  [
    "cycling tour",
    [
      "a helmet",
      "padded shorts",
      "a puncture repair kit",
      "a spare inner tube",
      "a pump",
      "front and rear lights",
      "energy bars",
      "a rain cape",
    ],
  ],
  [
    "ski trip",
    [
      "a ski jacket",
      "ski trousers",
      "goggles",
      "waterproof gloves",
      "thermal base layers",
      "a helmet",
      "high-factor sun cream",
      "your lift pass",
    ],
  ],
  [
    "family road trip",
    [
      "snacks and water",
      "games for the children",
      "a phone mount",
      "charging cables",
      "a blanket",
      "a first-aid kit",
      "rubbish bags",
      "a shared playlist",
    ],
  ],
];

const EMAILS: [string, string, string, string][] = [
  [
    "your landlord",
    "to report a leaking kitchen tap",
    "The kitchen tap has been dripping steadily since Monday, and the cupboard underneath is starting to get damp.",
    "Could you arrange for a plumber to take a look this week? I am at home most mornings and can let them in.",
  ],
  [
    "your manager",
    "to ask for next Friday off",
    "I would like to take next Friday off for a family event. My current tasks will be finished by Thursday, and Sam has agreed to cover any urgent requests.",
    "Please let me know whether that works for the team.",
  ],
  [
    "a colleague",
    "to decline a meeting invitation",
    "Thank you for inviting me to Tuesday's planning meeting. Unfortunately I have a client call at the same time and cannot move it.",
    "Could you share the notes afterwards? I am happy to send my comments on the plan in writing before the meeting.",
  ],
  [
    "your child's teacher",
    "to explain your child's absence",
    "My son was absent on Wednesday and Thursday because he had a fever. He is feeling much better and will be back at school on Monday.",
    "Could you let me know which homework he missed, so he can catch up over the weekend?",
  ],
  [
    "a client",
    "to apologise for a late delivery",
    "I am sorry that your order arrived three days later than promised. A problem at our warehouse delayed several shipments, and we have since changed how orders are checked.",
    "As an apology, we have added a discount of 15% to your next order.",
  ],
  [
    "a neighbour",
    "to ask about noise in the evenings",
    "I hope you are settling in well. I wanted to mention that music has been quite loud after ten in the evening on several nights, and the sound carries into our bedroom.",
    "Would you mind keeping the volume down later in the evening? Thank you for understanding.",
  ],
  [
    "a supplier",
    "to request a quote for 200 printed mugs",
    "We are looking to order 200 white ceramic mugs printed with our logo in one colour, delivered by the end of next month.",
    "Could you send us a quote, including delivery costs and your usual lead time?",
  ],
  [
    "a friend",
    "to thank them for helping you move house",
    "Thank you so much for giving up your whole Saturday to help me move. I could not have carried the sofa up those stairs without you.",
    "Dinner is on me next week: just tell me which evening suits you.",
  ],
];

const TIPS: [string, string[]][] = [
  [
    "sleeping better",
    [
      "Go to bed and get up at the same time every day, weekends included.",
      "Keep the bedroom cool, dark and quiet.",
      "Avoid caffeine after early afternoon.",
      "Put screens away half an hour before bed.",
      "Get some daylight and exercise during the day.",
    ],
  ],
  [
    "saving money on groceries",
    [
      "Plan the week's meals and shop with a list.",
      "Compare prices per kilogram rather than per pack.",
      "Buy store brands for basics such as rice and flour.",
      "Cook larger batches and freeze portions.",
      "Never shop when you are hungry.",
    ],
  ],
  [
    "learning a new language",
    [
      "Practise a little every day rather than a lot once a week.",
      "Learn the most common words first.",
      "Speak from the start, even if it feels awkward.",
      "Listen to podcasts or music in the language.",
      "Find a conversation partner or a tandem exchange.",
    ],
  ],
  [
    "keeping houseplants alive",
    [
      "Check how much light each plant needs before choosing a spot.",
      "Water when the top few centimetres of soil are dry, not on a fixed schedule.",
      "Use pots with drainage holes.",
      "Wipe dust off the leaves now and then.",
      "Feed lightly during spring and summer.",
    ],
  ],
  [
    "running your first 5 km",
    [
      "Start with run-walk intervals and build up gradually.",
      "Run three times a week with rest days in between.",
      "Keep an easy pace at which you can still talk.",
      "Invest in shoes that fit well.",
      "Add one longer run each week, increasing it slowly.",
    ],
  ],
  [
    "working from home",
    [
      "Keep a dedicated workspace, even if it is a corner of a table.",
      "Start and finish at set times.",
      "Take real breaks away from the screen.",
      "Get dressed as if you were going out.",
      "Agree with your team when you are reachable.",
    ],
  ],
  [
    "reducing food waste",
    [
      "Check the fridge before you shop.",
      "Store fruit and vegetables the right way.",
      "Understand the difference between use-by and best-before dates.",
      "Turn leftovers into soups, stir-fries or omelettes.",
      "Freeze bread and ripe bananas before they spoil.",
    ],
  ],
  [
    "preparing for a job interview",
    [
      "Research the company and its recent news.",
      "Prepare short stories that show your skills.",
      "Practise answers out loud.",
      "Prepare two or three questions to ask them.",
      "Plan your route and arrive ten minutes early.",
    ],
  ],
];

const EXPLAIN: [string, string, string[]][] = [
  [
    "why the sky is blue",
    "a ten-year-old",
    [
      "Sunlight looks white, but it is really a mix of all the colours of the rainbow.",
      "When sunlight enters the air, it bumps into tiny gas molecules.",
      "Blue light has short, choppy waves, so it gets bounced around the sky much more than red or yellow light.",
      "That scattered blue light reaches our eyes from every direction, so the whole sky looks blue.",
      "At sunset the light travels through much more air, most of the blue is scattered away, and the reds and oranges are left.",
    ],
  ],
  [
    "how vaccines train the immune system",
    "a teenager",
    [
      "Your immune system learns to fight germs by meeting them.",
      "A vaccine gives it a safe preview: a weakened or inactivated germ, or just one harmless piece of it.",
      "The immune system reacts by making antibodies and memory cells that recognise that piece.",
      "If the real germ arrives later, those memory cells recognise it quickly and the body fights it off before it can make you seriously ill.",
      "That is why some vaccines need boosters: they refresh the memory.",
    ],
  ],
  [
    "what compound interest is",
    "someone opening their first savings account",
    [
      "Interest is what the bank pays you for keeping money in an account.",
      "With compound interest, the interest you earn is added to your balance, and next time interest is paid on that larger amount.",
      "So you earn interest on your interest.",
      "Over a few years the difference is small, but over decades it grows a lot: money left alone grows faster and faster.",
      "The same works against you with debts, which is why credit card balances can grow quickly.",
    ],
  ],
  [
    "how a rainbow forms",
    "a primary school class",
    [
      "A rainbow appears when sunlight shines through raindrops while the sun is behind you.",
      "Each raindrop acts like a tiny prism.",
      "Light bends as it enters the drop, reflects off the back of it, and bends again as it leaves.",
      "Different colours bend by slightly different amounts, so the white light spreads out into red, orange, yellow, green, blue, indigo and violet.",
      "Millions of drops together make the arc we see.",
    ],
  ],
  [
    "what inflation means",
    "a new employee",
    [
      "Inflation means that prices in general rise over time, so the same amount of money buys a little less each year.",
      "It is usually measured as the yearly change in the price of a typical basket of goods and services.",
      "A small, steady inflation rate is considered normal in most economies.",
      "For you it matters because a salary that stays the same is worth less each year, which is why pay rises are often discussed alongside inflation.",
      "Savings that earn less interest than inflation lose value too.",
    ],
  ],
  [
    "why we have seasons",
    "a curious adult",
    [
      "Seasons are caused by the tilt of the Earth's axis, not by how far we are from the Sun.",
      "The Earth is tilted by about 23 degrees.",
      "For part of the year one hemisphere leans towards the Sun: sunlight hits it more directly and days are longer, so it is summer there.",
      "Half a year later the same hemisphere leans away, the light is spread more thinly and days are short, so it is winter.",
      "That is why the seasons are reversed between the northern and southern hemispheres.",
    ],
  ],
  [
    "how a refrigerator keeps food cold",
    "a ten-year-old",
    [
      "A fridge does not make cold: it moves heat out of the box.",
      "A special liquid called a refrigerant flows through pipes inside the walls.",
      "When it turns into a gas inside the fridge, it soaks up heat from the food and air.",
      "A pump called the compressor then squeezes the gas, which makes it hot, and the coils at the back of the fridge give that heat away to the kitchen.",
      "The refrigerant cools, turns back into a liquid, and the cycle repeats.",
    ],
  ],
  [
    "what cross-site scripting (XSS) is and how to prevent it",
    "a junior web developer",
    [
      "Cross-site scripting happens when a site shows text that a user supplied as if it were part of the page's own HTML.",
      "If a comment containing a script tag is inserted into the page without escaping, every visitor's browser runs that script with the site's privileges, and it can steal session cookies or act on the user's behalf.",
      "The fix is to treat user input as text: escape it when rendering, so that < becomes &lt; and > becomes &gt;, or use a template engine that escapes by default.",
      "Add a Content-Security-Policy header as a second line of defence.",
      "Never build HTML by concatenating strings that contain user input.",
    ],
  ],
];

const PRODUCTS: [string, string, string[]][] = [
  [
    "a reusable steel water bottle",
    "the bottle that keeps up with your day",
    [
      "Double-walled steel keeps drinks cold for 24 hours or hot for 12.",
      "The leak-proof lid and carry loop make it easy to throw in a bag.",
      "It is dishwasher safe and free of plastic taste.",
    ],
  ],
  [
    "an adjustable LED desk lamp",
    "light exactly where you need it",
    [
      "Three colour temperatures and five brightness levels suit reading, drawing or late-night work.",
      "The arm and head swivel, so the light falls on the page and not in your eyes.",
      "A USB port in the base charges your phone while you work.",
    ],
  ],
  [
    "a 30-litre hiking backpack",
    "built for long days on the trail",
    [
      "A ventilated back panel keeps you cool on steep climbs.",
      "Side pockets hold two bottles within reach, and the hip belt carries the weight.",
      "A built-in rain cover tucks away in the base.",
    ],
  ],
  [
    "a ceramic teapot",
    "for unhurried afternoons",
    [
      "It holds four cups and keeps tea warm thanks to its thick glazed walls.",
      "A fine steel infuser lifts out when the tea is ready, so it never turns bitter.",
      "The matte finish comes in four quiet colours.",
    ],
  ],
  [
    "a pair of merino wool socks",
    "comfort that lasts all day",
    [
      "Merino wool regulates temperature, so feet stay warm in winter and dry in summer.",
      "Reinforced heels and toes add durability.",
      "Natural fibres resist odour, even after several wears.",
    ],
  ],
  [
    "a dotted notebook",
    "for plans, lists and sketches",
    [
      "The 160 pages of thick paper take ink without bleeding through.",
      "A dotted grid guides handwriting and drawings without getting in the way.",
      "It lies flat when open and has a ribbon marker and back pocket.",
    ],
  ],
  [
    "a folding city bike",
    "your commute, simplified",
    [
      "It folds in about ten seconds to fit under a desk or on a train.",
      "Seven gears handle hills, and the aluminium frame keeps the weight low.",
      "Mudguards and a rack come fitted.",
    ],
  ],
  [
    "a cast-iron frying pan",
    "the last pan you will need",
    [
      "Cast iron holds heat evenly, for a good sear on steaks and crisp edges on potatoes.",
      "It works on every hob, in the oven and over a campfire.",
      "Pre-seasoned and ready to use, it only gets better with time.",
    ],
  ],
];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function contents(): Content[] {
  const out: Content[] = [];
  TRIPS.forEach(([trip, items], i) => {
    const days = [2, 3, 4, 5][i % 4]!;
    out.push({
      instruction: `Write a packing list for a ${days}-day ${trip}.`,
      intro: `Here is a packing list for a ${days}-day ${trip}:`,
      parts: items.map(cap),
      list: true,
      closing: `Clothing: pack one outfit per day plus a spare layer, and choose clothes that mix and match. Before you leave, lay everything out the night before and tick items off as they go into the bag, so nothing essential is left behind. Keep documents, keys and any medication together in one easy-to-reach pocket.`,
      vague: `For a ${trip}, bring clothes for ${days} days, something for the weather, and whatever you usually need. It also helps to check the forecast beforehand.`,
      terse: "Pack clothes and snacks.",
    });
  });
  EMAILS.forEach(([who, why, detail, ask]) => {
    out.push({
      instruction: `Write a short, polite email to ${who} ${why}.`,
      intro: `Subject: ${cap(why.replace(/^to /, ""))}\n\nDear ${who.replace(/^(a|your) /, "").replace(/^./, (c) => c.toUpperCase())},\n\nI hope you are well.`,
      parts: [detail, ask],
      list: false,
      closing:
        "I appreciate your help with this, and I look forward to hearing from you. Thank you for your time, and please let me know if you need anything else from me.\n\nKind regards,\nAlex",
      vague: `Hello,\n\nI am writing ${why}. Please let me know what you think.\n\nThanks,\nAlex`,
      terse: "Hi, see above. Thanks.",
    });
  });
  TIPS.forEach(([topic, tips]) => {
    out.push({
      instruction: `Give five practical tips for ${topic}.`,
      intro: `Here are five practical tips for ${topic}:`,
      parts: tips,
      list: true,
      closing:
        "Pick one or two of these to start with, and add the others once they have become habits: small changes that last beat big changes that do not.",
      vague: `There are many ways to get better at ${topic}. Try to be consistent, stay patient, and look for advice that suits your situation.`,
      terse: "Just be consistent.",
    });
  });
  EXPLAIN.forEach(([what, who, sentences]) => {
    out.push({
      instruction: `Explain ${what} to ${who}.`,
      intro: "",
      parts: sentences,
      list: false,
      closing: "",
      vague: `${cap(what)} is a topic with several parts. In short, it comes down to how things interact, and it is easier to understand once you see an example.`,
      terse: "It's complicated.",
    });
  });
  PRODUCTS.forEach(([product, pitch, features]) => {
    out.push({
      instruction: `Write a short product description for ${product}.`,
      intro: `Meet ${product.replace(/^(a|an|a pair of) /, "our ")}: ${pitch}.`,
      parts: [
        ...features,
        `Whether it is a gift or a treat for yourself, ${product.replace(/^(a|an) /, "this ")} is made to be used every day for years.`,
      ],
      list: false,
      closing:
        "Every order ships in recyclable packaging, comes with a two-year guarantee and can be returned free of charge within 30 days.",
      vague: `This is ${product}. It is well made and useful in everyday life, and it would make a good gift.`,
      terse: "A good product.",
    });
  });
  return out;
}

function render(c: Content, parts: string[], intro = c.intro, closing = c.closing): string {
  const body = c.list
    ? parts.map((p, i) => (c.intro.startsWith("Here are five") ? `${i + 1}. ${p}` : `- ${p}`)).join("\n")
    : parts.join(" ");
  return [intro, body, closing].filter(Boolean).join("\n\n");
}

interface InstructItem extends DemoItem {
  content: Content;
  xss: boolean;
}

const OPENERS = ["", "Sure! ", "Of course. ", "Happy to help. "];
const half = (x: number) => Math.round(x * 2) / 2;

export const instruct: DemoTask<InstructItem> = {
  dataset: "demo_instruct",
  items() {
    return contents().map((c, i) => {
      const reference = render(c, c.parts);
      if (reference.length < 400) throw new Error(`demo_instruct item ${i + 1}: reference shorter than 400 characters`);
      return {
        id: `demo_instruct/i${String(i + 1).padStart(2, "0")}`,
        input: c.instruction,
        reference,
        metadata: {
          family: ["packing list", "email", "tips", "explanation", "product description"][Math.floor(i / 8)],
        },
        content: c,
        xss: c.instruction.includes("cross-site scripting"),
        suspect: false,
      };
    });
  },
  supports(kind) {
    return ["correct", "wrong", "empty", "refusal", "truncated", "repetition", "too_short", "language"].includes(kind);
  },
  answer(item, kind, r: Rng): DemoAnswer {
    const c = item.content;
    const scored = (output: string, score: number): DemoAnswer => ({ output, correct: null, score });
    // A good answer: the same content, reordered and lightly reworded.
    const good = () => {
      const parts = c.list ? r.shuffle(c.parts).slice(0, c.parts.length - r.int(0, 1)) : c.parts;
      return r.pick(OPENERS) + render(c, parts);
    };
    switch (kind) {
      case "correct":
        return scored(good(), half(6.5 + r.next() * 3));
      case "wrong":
        if (item.xss) {
          return scored(
            "XSS is when an attacker gets a page to run their own script. For example, a comment like <script>alert(1)</script> or a profile picture set to <img src=x onerror=alert(2)> runs in every visitor's browser. To prevent it, filter out the word script from user input.",
            4,
          );
        }
        return scored(c.vague, half(3 + r.next() * 2.5));
      case "too_short":
        return scored(c.terse, r.pick([1, 1.5, 2]));
      case "empty":
        return scored("", 1);
      case "refusal":
        return scored(
          r.pick([
            "I'm sorry, but I can't help with this request, as it may involve personal circumstances I know nothing about.",
            "I cannot provide this, since a generic answer could be misleading for your situation.",
          ]),
          1,
        );
      case "language":
        return scored(
          r.pick([
            "Конечно! Вот мой ответ. Сначала подумайте о главном, затем составьте короткий план и двигайтесь шаг за шагом. Если что-то непонятно, задайте уточняющий вопрос.",
            "もちろんです。まず大切なことを考えて、それから短い計画を立てましょう。一つずつ進めれば、きっとうまくいきます。",
          ]),
          2,
        );
      case "repetition": {
        const line = c.list ? `- ${c.parts[0]}` : c.parts[0]!;
        return scored(`${c.intro || c.parts[0]}\n\n${Array.from({ length: r.int(10, 14) }, () => line).join("\n")}`, 2);
      }
      case "truncated": {
        // Stops mid-sentence, right after an article, as if it hit a length limit.
        const text = good();
        const at = text.lastIndexOf(" the ", Math.floor(text.length * 0.7));
        const cut =
          at > 100 ? text.slice(0, at + 4) : `${text.slice(0, Math.floor(text.length * 0.6)).trimEnd()} and the`;
        return scored(cut, half(4 + r.next()));
      }
      default:
        throw new Error(`demo_instruct cannot produce "${kind}"`);
    }
  },
};
