/**
 * The names the `name` transformer picks from: 256 given names and 256 family names, so one keyed
 * byte picks each (65,536 full names). Common names from many languages, ASCII only, compiled for
 * pgsync-ts and released with it under the project's MIT licence (see LICENSE); a list of common
 * names is a set of facts, taken from no other project's list.
 */
function words(...lines: string[]): readonly string[] {
  return lines.join("").split(" ");
}

export const GIVEN_NAMES: readonly string[] = words(
  "Aaron Abigail Ada Adam Adele Adrian Agnes Ahmed Aiko Alan Albert Alec Alice Alma Amara Amelia ",
  "Amir Ana Anders Andrea Angela Anika Anna Anton Arjun Arthur Astrid Aurora Ava Axel Beatrice Ben ",
  "Bianca Boris Bruno Camila Carl Carla Carmen Caroline Cecilia Chen Chloe Clara Colin Cora Daniel ",
  "Daria David Diana Diego Dmitri Dora Edgar Edith Elena Eli Elias Eliza Ella Emil Emily Emma Enzo ",
  "Eric Erin Esther Ethan Eva Ezra Fatima Felix Fiona Frank Freya Gabriel Grace Greta Hana Hannah ",
  "Harold Hector Helen Henry Hugo Ian Ida Igor Ines Ingrid Iris Isaac Isabel Ivan Jack Jade James ",
  "Jana Jasper Javier Jin Joan Joel Jonas Jorge Joseph Julia Julian June Kai Karen Karim Kate Kenji ",
  "Kiara Kofi Lara Laura Leah Lena Leo Leon Lila Lina Linus Liam Lily Lucas Lucia Luis Luka Luna ",
  "Lydia Maja Malik Mara Marco Maria Mark Marta Mateo Max Maya Mei Mia Milan Mila Mina Miriam ",
  "Mohamed Nadia Naomi Nathan Nia Nico Nina Noah Nora Olga Oliver Omar Oscar Otto Paola Pablo Paul ",
  "Pedro Petra Philip Priya Quinn Rafael Rania Ravi Rita Robert Rosa Ruby Rui Ruth Sam Samir Sara ",
  "Sean Selma Sergei Simon Sofia Sonia Stella Sven Tara Teo Thea Theo Thomas Tina Tobias Tomas Uma ",
  "Una Valentina Vera Victor Viktor Vivian Wanda Walter Wei Will Xavier Yara Yasmin Yuki Yusuf Zara ",
  "Zoe Zoran Alina Bella Cyrus Dalia Elif Farah Gwen Hiro Ilse Jonah Kira Lars Mateus Nils Orla Pia ",
  "Raul Saoirse Tariq Ulla Wren Yann Zeno Ayla Boaz Cleo Dante Elsa Finn Gia Hugh Isla Juno Koa Lev ",
  "Mira Noor Odin",
);

export const FAMILY_NAMES: readonly string[] = words(
  "Abbott Adams Ahmed Akhtar Alvarez Andersen Anderson Araujo Bailey Baker Banerjee Barros Becker ",
  "Bell Bennett Berg Bianchi Bishop Blom Bondarenko Brooks Brown Bruno Byrne Campbell Carter Castro ",
  "Chan Chavez Chen Clark Cohen Collins Cook Cooper Costa Cruz Dahl Das Davies Davis Dias Diaz ",
  "Dubois Duncan Dunn Edwards Ekstrom Ellis Evans Fischer Fisher Flores Ford Foster Fox Franco ",
  "Fraser Friedman Garcia Gomez Gonzalez Graham Grant Gray Green Gupta Hall Hansen Harris Hayes ",
  "Heinz Hill Hoffmann Horvat Howard Hughes Hunt Ibrahim Ito Jackson Jansen Jensen Johnson Jones ",
  "Kaur Keller Kelly Khan Kim King Klein Koch Kowalski Kruger Kumar Lambert Lane Larsen Laurent Lee ",
  "Lewis Li Lin Lopez Lund Martin Martinez Mason Meyer Miller Mills Mitchell Moore Morales Moreau ",
  "Morgan Morris Muller Murphy Murray Nagy Nakamura Nelson Nguyen Nielsen Novak Obi Okafor Olsen ",
  "Ortiz Owens Park Patel Pereira Perez Perry Peters Petrov Phillips Pike Popescu Price Quinn Ramos ",
  "Reed Reyes Richter Rivera Roberts Robinson Rodriguez Rogers Romano Rossi Russo Ryan Saito ",
  "Sanchez Santos Sato Schmidt Schneider Scott Shah Silva Simmons Singh Smith Sousa Stewart Stone ",
  "Suzuki Svensson Tanaka Taylor Thomas Thompson Torres Turner Vargas Vasquez Vogel Wagner Walker ",
  "Wang Ward Watson Weber White Williams Wilson Wolf Wong Wood Wright Wu Yamamoto Yang Young Zhang ",
  "Zhou Zimmer Ali Babic Costea Dimitrov Eriksen Farouk Gallo Haas Ivanova Jovanovic Karlsson ",
  "Lindqvist Marino Nowak Okoro Pavlov Rahman Sorensen Tran Ueda Vidal Weiss Yilmaz Zubiri Acosta ",
  "Bauer Conti Dorsey Esposito Falk Gruber Holm Iqbal Jung Kovacs Lorenz Mendes Nair Orlov Pinto ",
  "Rao Toth Ueno Varga Wiles Yoon Zamora Ahn Bose Chowdhury Delgado Engel Fuchs",
);
